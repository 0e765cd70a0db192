// Package mail delivers one outbox message over SMTP and classifies the
// outcome, so callers can retry transient failures and mark bounced addresses.
package mail

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// TLSMode says how the connection to the SMTP server is encrypted; it is part
// of Config so a deployment can insist on encryption.
type TLSMode int

const (
	// STARTTLSOpportunistic upgrades with STARTTLS when the server offers it
	// (the smtp:// default), so plain local capture servers still work.
	STARTTLSOpportunistic TLSMode = iota
	// STARTTLSRequired refuses to send unless STARTTLS succeeds, for servers
	// reached over untrusted networks (smtp://…?starttls=required).
	STARTTLSRequired
	// ImplicitTLS speaks TLS from the first byte (smtps://), as port 465 expects.
	ImplicitTLS
)

// String names the mode as it is written in the URL, for logs.
func (m TLSMode) String() string {
	switch m {
	case STARTTLSOpportunistic:
		return "starttls=opportunistic"
	case STARTTLSRequired:
		return "starttls=required"
	case ImplicitTLS:
		return "implicit-tls"
	default:
		return "TLSMode(" + strconv.Itoa(int(m)) + ")"
	}
}

// Default ports, used when the URL names none.
const (
	// DefaultSubmissionPort is the message submission port (RFC 6409) used by smtp://.
	DefaultSubmissionPort = 587
	// DefaultSMTPSPort is the implicit-TLS submission port (RFC 8314) used by smtps://.
	DefaultSMTPSPort = 465
)

// Config is where and how to deliver mail; it comes from --smtp-url via
// ParseSMTPURL so the whole setting is one flag.
type Config struct {
	// Host is the SMTP server's name; it is also checked against its TLS certificate.
	Host string
	// Port defaults to 587 for smtp:// and 465 for smtps://.
	Port int
	// Username and Password enable SMTP AUTH when Username is set.
	Username string
	Password string
	// TLS says whether STARTTLS is tried, required, or TLS is implicit.
	TLS TLSMode
}

// String describes the configuration for logs without the password, which must
// never leak into output.
func (c Config) String() string {
	scheme := "smtp"
	if c.TLS == ImplicitTLS {
		scheme = "smtps"
	}
	u := url.URL{Scheme: scheme, Host: net.JoinHostPort(c.Host, strconv.Itoa(c.Port))}
	if c.Username != "" {
		if c.Password != "" {
			u.User = url.UserPassword(c.Username, "xxxxx")
		} else {
			u.User = url.User(c.Username)
		}
	}
	if c.TLS == STARTTLSRequired {
		u.RawQuery = "starttls=required"
	}
	return u.String()
}

// GoString keeps %#v from printing the password, like String.
func (c Config) GoString() string { return "mail.Config(" + c.String() + ")" }

// ParseSMTPURL reads smtp://user:pass@host:port[?starttls=required] or
// smtps://user:pass@host:port into a Config, so one flag configures delivery.
// Errors say what is wrong but never contain the password.
func ParseSMTPURL(raw string) (Config, error) {
	var cfg Config
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the input, which may hold the password.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return cfg, fmt.Errorf("smtp url: cannot parse: %v", redact(err.Error(), raw))
	}
	switch u.Scheme {
	case "smtp":
		cfg.TLS, cfg.Port = STARTTLSOpportunistic, DefaultSubmissionPort
	case "smtps":
		cfg.TLS, cfg.Port = ImplicitTLS, DefaultSMTPSPort
	case "":
		return cfg, errors.New("smtp url: missing scheme, want smtp:// or smtps://")
	default:
		return cfg, fmt.Errorf("smtp url: unsupported scheme %q, want smtp or smtps", u.Scheme)
	}
	if u.Opaque != "" {
		return cfg, errors.New("smtp url: want scheme://host, missing //")
	}
	cfg.Host = u.Hostname()
	if cfg.Host == "" {
		return cfg, errors.New("smtp url: missing host")
	}
	if p := u.Port(); p != "" {
		port, err := strconv.Atoi(p)
		if err != nil || port < 1 || port > 65535 {
			return cfg, fmt.Errorf("smtp url: invalid port %q", p)
		}
		cfg.Port = port
	}
	if u.User != nil {
		cfg.Username = u.User.Username()
		cfg.Password, _ = u.User.Password()
		if cfg.Username == "" {
			return cfg, errors.New("smtp url: password given without user name")
		}
	}
	if u.Path != "" && u.Path != "/" {
		return cfg, fmt.Errorf("smtp url: unexpected path %q", u.Path)
	}
	q := u.Query()
	for key, vals := range q {
		if key != "starttls" {
			return cfg, fmt.Errorf("smtp url: unknown parameter %q (known: starttls)", key)
		}
		if len(vals) != 1 {
			return cfg, errors.New("smtp url: starttls given more than once")
		}
		if cfg.TLS == ImplicitTLS {
			return cfg, errors.New("smtp url: starttls does not apply to smtps (implicit TLS)")
		}
		switch vals[0] {
		case "required":
			cfg.TLS = STARTTLSRequired
		case "opportunistic", "":
			cfg.TLS = STARTTLSOpportunistic
		default:
			return cfg, fmt.Errorf("smtp url: starttls=%q, want required or opportunistic", vals[0])
		}
	}
	return cfg, nil
}

// redact removes the URL's password from msg.
func redact(msg, raw string) string {
	at := strings.LastIndex(raw, "@")
	scheme := strings.Index(raw, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return msg
	}
	userinfo := raw[scheme+3 : at]
	if i := strings.Index(userinfo, ":"); i >= 0 && i+1 < len(userinfo) {
		msg = strings.ReplaceAll(msg, userinfo[i+1:], "xxxxx")
	}
	return msg
}
