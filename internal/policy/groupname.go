package policy

import (
	"errors"
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
