package letters

import (
	"fmt"
	"strings"
	"text/template"
	"time"
)

// FuncNames lists the functions templates may call, for staff: the same
// names in every language, each writing in the template's language.
var FuncNames = []string{"date", "datetime", "name", "an", "join"}

// names are the words for the enum values templates show (roles,
// application and report kinds), per language; an unknown value is shown
// lower-cased with spaces.
var names = map[Language]map[string]string{
	English: {"NEW_GROUP": "new group", "OFFICIAL_STATUS": "official status", "CODE_OF_CONDUCT": "code of conduct",
		"TITLE_MISUSE": "misuse of the ambassador title", "COMMUNITY_MANAGER": "community manager"},
	Chinese: {"MEMBER": "成员", "ORGANIZER": "组织者", "AMBASSADOR": "大使", "COMMUNITY_MANAGER": "社区经理", "ADMIN": "管理员",
		"NEW_GROUP": "新建用户组", "MEMBERSHIP": "加入", "OFFICIAL_STATUS": "官方认证", "FUNDING": "经费",
		"CODE_OF_CONDUCT": "行为准则", "HARASSMENT": "骚扰", "SPAM": "垃圾信息", "TITLE_MISUSE": "滥用大使头衔", "OTHER": "其他"},
}

var zhWeekdays = []string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

// funcs are the template functions in lang:
//   - date: a day ("14 March 2026", "2026年3月14日"), in the time's own zone;
//   - datetime: a day and time with its zone ("Saturday 14 March 2026 at 19:00 CET");
//   - name: an enum value in words ("ORGANIZER" → "organizer", "组织者");
//   - an: an English noun with its article ("an OpenStack"); the word alone in Chinese;
//   - join: a list of names ("Ada and Grace", "Ada、Grace").
func funcs(lang Language) template.FuncMap {
	if lang == Chinese {
		return template.FuncMap{
			"date": func(t time.Time) string { return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day()) },
			"datetime": func(t time.Time) string {
				return fmt.Sprintf("%d年%d月%d日（%s）%s", t.Year(), t.Month(), t.Day(), zhWeekdays[t.Weekday()], t.Format("15:04 MST"))
			},
			"name": func(v string) string { return name(Chinese, v) },
			"an":   func(w string) string { return w },
			"join": func(l []string) string { return strings.Join(l, "、") },
		}
	}
	return template.FuncMap{
		"date":     func(t time.Time) string { return t.Format("2 January 2006") },
		"datetime": func(t time.Time) string { return t.Format("Monday 2 January 2006 at 15:04 MST") },
		"name":     func(v string) string { return name(English, v) },
		"an": func(w string) string {
			if w != "" && strings.ContainsRune("aeiouAEIOU", rune(w[0])) {
				return "an " + w
			}
			return "a " + w
		},
		"join": func(l []string) string {
			switch len(l) {
			case 0:
				return ""
			case 1:
				return l[0]
			}
			return strings.Join(l[:len(l)-1], ", ") + " and " + l[len(l)-1]
		},
	}
}

func name(lang Language, v string) string {
	if s, ok := names[lang][v]; ok {
		return s
	}
	return strings.ReplaceAll(strings.ToLower(v), "_", " ")
}
