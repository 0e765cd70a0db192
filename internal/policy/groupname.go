package policy

import (
	"errors"
	"regexp"
	"strings"
	"unicode"
)

// GroupName is a group's display name split by the naming rule: the
// geographic name first, an optional nickname in braces at the end
// ("Bay Area {Stackers}").
type GroupName struct {
	Place    string
	Nickname string
}

// String renders the name in its canonical form.
func (n GroupName) String() string {
	if n.Nickname == "" {
		return n.Place
	}
	return n.Place + " {" + n.Nickname + "}"
}

// ParseGroupName checks a display name against the naming rule and splits it.
// The place must start with a capital letter and hold only letters, spaces and
// the punctuation place names use (", . ' -"); a nickname, if any, sits in one
// pair of braces at the very end.
func ParseGroupName(s string) (GroupName, error) {
	if s != strings.TrimSpace(s) || strings.Contains(s, "  ") {
		return GroupName{}, errors.New("must not have leading, trailing or doubled spaces")
	}
	if n := len([]rune(s)); n < 2 || n > 100 {
		return GroupName{}, errors.New("must be 2-100 characters")
	}
	place, nick := s, ""
	if i := strings.IndexByte(s, '{'); i >= 0 {
		if !strings.HasSuffix(s, "}") || strings.Count(s, "{") != 1 || strings.Count(s, "}") != 1 {
			return GroupName{}, errors.New("a nickname goes in one pair of braces at the end, as in \"Bay Area {Stackers}\"")
		}
		place = strings.TrimSpace(s[:i])
		nick = strings.TrimSpace(s[i+1 : len(s)-1])
		if nick == "" {
			return GroupName{}, errors.New("the nickname in braces must not be empty")
		}
		if s[i-1] != ' ' {
			return GroupName{}, errors.New("put a space before the nickname's opening brace")
		}
	} else if strings.ContainsRune(s, '}') {
		return GroupName{}, errors.New("a nickname goes in one pair of braces at the end, as in \"Bay Area {Stackers}\"")
	}
	if place == "" {
		return GroupName{}, errors.New("must start with the geographic name, as in \"Paris, France\"")
	}
	first := []rune(place)[0]
	if !unicode.IsUpper(first) && !unicode.Is(unicode.Han, first) && !unicode.IsLetter(first) {
		return GroupName{}, errors.New("must start with the geographic name, as in \"Paris, France\"")
	}
	if unicode.IsLetter(first) && unicode.IsLower(first) {
		return GroupName{}, errors.New("the geographic name starts with a capital letter")
	}
	for _, r := range place {
		if !(unicode.IsLetter(r) || unicode.IsMark(r) || r == ' ' || r == ',' || r == '.' || r == '\'' || r == '-' || r == '’') {
			return GroupName{}, errors.New("the geographic name may hold only letters, spaces and , . ' -")
		}
	}
	return GroupName{Place: place, Nickname: nick}, nil
}

// ValidateGroupName is ParseGroupName for use as a field validator.
func ValidateGroupName(s string) error {
	_, err := ParseGroupName(s)
	return err
}

// NameError is a group name the naming rule refuses: why, and the name the
// rule would accept instead when it can find one.
type NameError struct {
	Reason     string
	Suggestion string
}

func (e *NameError) Error() string { return e.Reason }

// CheckGroupName applies the whole naming rule for a community whose
// project is called project (e.g. "OpenStack"): the form ParseGroupName
// checks, and a name SuggestGroupName would leave as it is — the project's
// name and words such as "User Group" around the place belong in the
// nickname ("Paris {OpenStack User Group}"), per the groups portal's "put pet
// names in braces at the end". One rule serves both, so the validator never
// accepts what the suggester would rewrite. A refusal is a *NameError.
func CheckGroupName(project, name string) (GroupName, error) {
	n, err := ParseGroupName(name)
	if err != nil {
		return GroupName{}, &NameError{Reason: err.Error(), Suggestion: SuggestGroupName(project, name)}
	}
	switch c := canonicalGroupName(project, name); c {
	case name:
		return n, nil
	case "":
		return GroupName{}, &NameError{Reason: `must start with the geographic name, as in "Paris, France"`}
	default:
		return GroupName{}, &NameError{
			Reason:     `the geographic name comes first; the project's name and words such as "User Group" go in the nickname braces at the end`,
			Suggestion: c,
		}
	}
}

// SuggestGroupName proposes a name that follows the naming rule for a name
// that does not, or returns "" when it cannot or the name already follows
// it: it trims spaces, capitalises the place, turns a trailing "(nickname)"
// or "[nickname]" and a leading "{nickname}" into a trailing "{nickname}",
// and moves the project's name and words such as "User Group" from around
// the place into the nickname ("OpenStack User Group Paris" → "Paris
// {OpenStack User Group}").
func SuggestGroupName(project, name string) string {
	if c := canonicalGroupName(project, name); c != name {
		return c
	}
	return ""
}

// Nicknames in the wrong brackets or the wrong place.
var (
	trailingBrackets = regexp.MustCompile(`^(.*?)\s*[(\[]([^()\[\]{}]+)[)\]]$`)
	leadingBraces    = regexp.MustCompile(`^\{([^{}]+)\}\s*(.+)$`)
	trailingBraces   = regexp.MustCompile(`^(.*?)\s*\{([^{}]+)\}$`)
)

// groupWords are words that name the kind of group, not the place; a name
// that starts or ends with them is fixable by moving them into braces.
var groupWords = []string{"user group", "users group", "meetup", "ug", "community", "club"}

// canonicalGroupName is the naming rule itself: the name written the way the
// rule wants it, or "" when no such form can be found (no place left, say).
// A name follows the rule exactly when it is its own canonical form.
func canonicalGroupName(project, name string) string {
	s := strings.Join(strings.Fields(name), " ")
	if s == "" {
		return ""
	}
	nick := ""
	// A nickname in other brackets, or braces in the wrong place.
	if m := trailingBrackets.FindStringSubmatch(s); m != nil {
		s, nick = m[1], m[2]
	} else if m := leadingBraces.FindStringSubmatch(s); m != nil {
		nick, s = m[1], m[2]
	} else if m := trailingBraces.FindStringSubmatch(s); m != nil {
		s, nick = m[1], m[2]
	}
	// Group words and the project's name around the place.
	var moved []string
	for changed := true; changed; {
		changed = false
		low := strings.ToLower(s)
		for _, w := range append([]string{strings.ToLower(project)}, groupWords...) {
			if w == "" {
				continue
			}
			if low == w { // nothing but group words: no place at all
				moved, s = append(moved, s), ""
				break
			}
			if strings.HasPrefix(low, w+" ") && !startsWithParticle(low[len(w)+1:]) {
				moved = append(moved, s[:len(w)])
				s = strings.TrimSpace(s[len(w):])
				changed = true
				break
			}
			if strings.HasSuffix(low, " "+w) {
				moved = append([]string{s[len(s)-len(w):]}, moved...)
				s = strings.TrimSpace(s[:len(s)-len(w)])
				changed = true
				break
			}
		}
	}
	s = strings.Trim(s, " -–,:")
	if len(moved) > 0 {
		extra := strings.Join(moved, " ")
		if nick != "" {
			nick = extra + " " + nick
		} else {
			nick = extra
		}
	}
	if s == "" {
		return ""
	}
	candidate := GroupName{Place: capitalizePlace(s), Nickname: strings.TrimSpace(nick)}.String()
	if _, err := ParseGroupName(candidate); err != nil {
		return ""
	}
	return candidate
}

// startsWithParticle reports whether s begins with a particle: then a
// leading group word is part of the place's own name ("Community of Madrid").
func startsWithParticle(s string) bool {
	first, _, _ := strings.Cut(s, " ")
	return particles[first]
}

// particles stay lower-case inside place names ("Rio de Janeiro").
var particles = map[string]bool{"de": true, "da": true, "do": true, "del": true, "la": true, "le": true,
	"of": true, "on": true, "am": true, "an": true, "der": true, "di": true, "du": true, "y": true}

// capitalizePlace capitalises the first letter of a place name and, when the
// whole name was typed in lower case, of each word but particles.
func capitalizePlace(s string) string {
	words := strings.Split(s, " ")
	allLower := s == strings.ToLower(s)
	for i, w := range words {
		if w == "" || (i > 0 && (!allLower || particles[w])) {
			continue
		}
		r := []rune(w)
		r[0] = unicode.ToUpper(r[0])
		words[i] = string(r)
	}
	return strings.Join(words, " ")
}
