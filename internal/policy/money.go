package policy

import (
	"math"
	"strconv"
	"strings"
)

// Money is an exact amount of one currency in its minor units (cents,
// fen; yen have none, Kuwaiti fils are thousandths): amounts are integers
// end to end, never floats, so a budget adds up to the cent.
type Money struct {
	// Currency is the ISO 4217 code, e.g. "EUR".
	Currency string `json:"currency"`
	// Minor is the amount in the currency's minor units.
	Minor int64 `json:"minor"`
}

// Amount is the amount as an exact decimal in major units ("1234.50").
func (m Money) Amount() string { return FormatAmount(m.Currency, m.Minor) }

// CurrencyExponent is the number of decimals of an ISO 4217 currency's
// minor unit; ok is false for a currency we do not know. The list is the
// currencies of the programmes' regions; a new one is one line here.
func CurrencyExponent(code string) (exp int, ok bool) {
	switch code {
	case "JPY", "KRW", "CLP", "ISK", "VND":
		return 0, true
	case "KWD", "BHD", "OMR", "JOD", "TND":
		return 3, true
	case "USD", "EUR", "GBP", "CNY", "INR", "BRL", "AUD", "CAD", "CHF", "SGD", "HKD", "TWD", "NZD",
		"SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "RUB", "TRY", "ZAR", "MXN", "ARS", "COP", "IDR",
		"MYR", "THB", "PHP", "ILS", "AED", "SAR", "EGP", "NGN", "KES", "UAH", "RON", "PKR", "BDT":
		return 2, true
	}
	return 0, false
}

// NormalizeCurrency upper-cases and checks a currency code; the error
// names field.
func NormalizeCurrency(field, code string) (string, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if _, ok := CurrencyExponent(code); !ok {
		return "", &FieldError{Field: field, Reason: "is not a supported ISO 4217 currency code (e.g. USD, EUR, CNY, JPY)"}
	}
	return code, nil
}

// ParseAmount reads an exact decimal amount of a currency ("1234.50",
// "1234.5", "1234"; JPY takes no decimals, KWD up to three) into minor
// units. Signs, exponents, separators, more decimals than the currency has,
// and amounts beyond int64 are refused with a FieldError naming field.
func ParseAmount(field, currency, s string) (int64, error) {
	exp, ok := CurrencyExponent(currency)
	if !ok {
		return 0, &FieldError{Field: field, Reason: "has no known currency"}
	}
	bad := func(reason string) (int64, error) { return 0, &FieldError{Field: field, Reason: reason} }
	s = strings.TrimSpace(s)
	whole, frac, dotted := strings.Cut(s, ".")
	switch {
	case s == "":
		return bad("must be an amount such as \"120.50\"")
	case strings.HasPrefix(s, "-"):
		return bad("must not be negative")
	case whole == "" || !digits(whole) || (dotted && (frac == "" || !digits(frac))):
		return bad("must be a plain decimal amount such as \"120.50\" (digits, one optional point)")
	case len(frac) > exp:
		if exp == 0 {
			return bad(currency + " amounts have no decimals")
		}
		return bad(currency + " amounts have at most " + strconv.Itoa(exp) + " decimals")
	}
	frac += strings.Repeat("0", exp-len(frac))
	var n int64
	for _, r := range whole + frac {
		d := int64(r - '0')
		if n > (math.MaxInt64-d)/10 {
			return bad("is too large")
		}
		n = n*10 + d
	}
	return n, nil
}

// ParseMoney reads a currency code and an exact decimal amount; the errors
// name currencyField or amountField.
func ParseMoney(currencyField, amountField, currency, amount string) (Money, error) {
	code, err := NormalizeCurrency(currencyField, currency)
	if err != nil {
		return Money{}, err
	}
	n, err := ParseAmount(amountField, code, amount)
	return Money{Currency: code, Minor: n}, err
}

// FormatAmount writes minor units of a currency as an exact decimal with
// all the currency's decimals ("1234.50", "1200" for yen, "1.250" for
// dinars); an unknown currency is written with two.
func FormatAmount(currency string, minor int64) string {
	exp, ok := CurrencyExponent(currency)
	if !ok {
		exp = 2
	}
	neg := minor < 0
	u := uint64(minor)
	if neg {
		u = uint64(-(minor + 1)) + 1 // MinInt64 too
	}
	s := strconv.FormatUint(u, 10)
	if exp > 0 {
		if len(s) <= exp {
			s = strings.Repeat("0", exp-len(s)+1) + s
		}
		s = s[:len(s)-exp] + "." + s[len(s)-exp:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
