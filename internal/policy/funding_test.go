package policy

import (
	"errors"
	"testing"
)

func TestFundingApprovalsRequired(t *testing.T) {
	p := OpenStack() // USD 500, EUR 500
	cases := []struct {
		m    Money
		want int
	}{
		{Money{"USD", 500_00}, 1},   // at the threshold: one
		{Money{"USD", 500_01}, 2},   // a cent above: two
		{Money{"EUR", 1}, 1},        //
		{Money{"EUR", 10000_00}, 2}, //
		{Money{"GBP", 90000_00}, 1}, // no threshold for the currency
	}
	for _, c := range cases {
		if got := FundingApprovalsRequired(p, c.m); got != c.want {
			t.Errorf("%+v: %d approvals, want %d", c.m, got, c.want)
		}
	}
	if FundingApprovalsRequired(OpenEuler(), Money{"CNY", 5000_00}) != 1 || FundingApprovalsRequired(OpenEuler(), Money{"CNY", 5000_01}) != 2 {
		t.Error("openEuler's CNY 5000 threshold")
	}
}

func TestFundingApprovalFourEyes(t *testing.T) {
	cases := []struct {
		name          string
		required      int
		requester, by string
		prior         []string
		decides       bool
		err           error
	}{
		{"one needed, one given", 1, "req", "staff1", nil, true, nil},
		{"two needed, first", 2, "req", "staff1", nil, false, nil},
		{"two needed, second by another", 2, "req", "staff2", []string{"staff1"}, true, nil},
		{"two needed, same staff twice", 2, "req", "staff1", []string{"staff1"}, false, ErrSameApprover},
		{"requester who is staff", 1, "staff1", "staff1", nil, false, ErrOwnFunding},
		{"requester as second", 2, "staff2", "staff2", []string{"staff1"}, false, ErrOwnFunding},
	}
	for _, c := range cases {
		decides, err := FundingApproval(c.required, c.requester, c.by, c.prior)
		if decides != c.decides || !errors.Is(err, c.err) {
			t.Errorf("%s: decides %v err %v; want %v %v", c.name, decides, err, c.decides, c.err)
		}
	}
}

func TestFundingBlockers(t *testing.T) {
	if bs := FundingBlockers(FundingState{}); len(bs) != 0 {
		t.Errorf("no ambassador, nothing open: %v", bs)
	}
	if bs := FundingBlockers(FundingState{Endorsers: 2}); len(bs) != 1 || bs[0].Code != "ENDORSEMENT" {
		t.Errorf("ambassador who has not endorsed: %v", bs)
	}
	if bs := FundingBlockers(FundingState{Endorsers: 1, Endorsed: true, OpenObjections: 1}); len(bs) != 1 || bs[0].Code != "OBJECTIONS" {
		t.Errorf("endorsed but objected: %v", bs)
	}
}

func TestPatchFundingThresholds(t *testing.T) {
	p, err := Patch{FundingSecondApprovalAbove: []MoneyInput{{"jpy", "100000"}, {"KWD", "150.500"}}}.Apply(OpenStack())
	if err != nil || len(p.FundingSecondApprovalAbove) != 2 || p.FundingSecondApprovalAbove[0] != (Money{"JPY", 100000}) ||
		p.FundingSecondApprovalAbove[1] != (Money{"KWD", 150500}) {
		t.Fatalf("patch: %+v %v", p.FundingSecondApprovalAbove, err)
	}
	for _, in := range [][]MoneyInput{{{"USD", "1"}, {"usd", "2"}}, {{"XYZ", "1"}}, {{"JPY", "1.5"}}, {{"USD", "-1"}}} {
		_, err := Patch{FundingSecondApprovalAbove: in}.Apply(OpenStack())
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != "fundingSecondApprovalAbove" {
			t.Errorf("%v: %v", in, err)
		}
	}
	p, err = Patch{FundingSecondApprovalAbove: []MoneyInput{}}.Apply(OpenStack())
	if err != nil || len(p.FundingSecondApprovalAbove) != 0 {
		t.Errorf("clearing: %+v %v", p.FundingSecondApprovalAbove, err)
	}
	if err := (Policy{Preset: "CUSTOM", AmbassadorScope: AmbassadorsPerRegion, FundingSecondApprovalAbove: []Money{{"USD", -1}}}).Validate(); err == nil {
		t.Error("Validate accepts a negative threshold")
	}
}

func TestLanguageTags(t *testing.T) {
	for in, want := range map[string]string{"en": "en", "ZH-cn": "zh-CN", "zh_Hans_cn": "zh-Hans-CN", "pt-BR": "pt-BR", "es-419": "es-419", "yue": "yue"} {
		if got, err := LanguageTag("l", in); err != nil || got != want {
			t.Errorf("%q: %q %v", in, got, err)
		}
	}
	for _, in := range []string{"", "e", "english", "en-", "en--US", "1a", "en US", "zh-中文"} {
		if _, err := LanguageTag("l", in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
	if _, err := TargetLanguages("t", "en", []string{"zh-CN", "zh-cn"}); err == nil {
		t.Error("a language twice")
	}
	if _, err := TargetLanguages("t", "en", []string{"EN"}); err == nil {
		t.Error("the source language as a target")
	}
	if got, err := TargetLanguages("t", "en", []string{"zh-cn", "ja"}); err != nil || len(got) != 2 || got[0] != "zh-CN" {
		t.Errorf("targets: %v %v", got, err)
	}
}
