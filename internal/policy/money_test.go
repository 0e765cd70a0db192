package policy

import (
	"errors"
	"math"
	"testing"
)

func TestParseAmount(t *testing.T) {
	ok := []struct {
		cur, in string
		want    int64
	}{
		{"USD", "1234.50", 123450},
		{"USD", "1234.5", 123450},
		{"USD", "1234", 123400},
		{"USD", "0.01", 1},
		{"USD", "007.10", 710},
		{"EUR", " 500 ", 50000},
		{"JPY", "1200", 1200},
		{"KRW", "50000", 50000},
		{"KWD", "1.250", 1250},
		{"KWD", "1.25", 1250},
		{"KWD", "0.001", 1},
		{"CNY", "5000.00", 500000},
		{"USD", "92233720368547758.07", math.MaxInt64},
	}
	for _, c := range ok {
		got, err := ParseAmount("amount", c.cur, c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseAmount(%s, %q) = %d, %v; want %d", c.cur, c.in, got, err, c.want)
		}
	}
	bad := []struct{ cur, in string }{
		{"USD", ""}, {"USD", "-1"}, {"USD", "+1"}, {"USD", "1e3"}, {"USD", "1,000"}, {"USD", ".5"},
		{"USD", "5."}, {"USD", "1.234"}, {"JPY", "1200.5"}, {"JPY", "1.0"}, {"KWD", "1.2345"},
		{"USD", "1.2.3"}, {"USD", "NaN"}, {"USD", "Infinity"}, {"USD", "92233720368547758.08"},
		{"USD", "99999999999999999999"}, {"XXX", "1"}, {"USD", "١٢"},
	}
	for _, c := range bad {
		_, err := ParseAmount("amount", c.cur, c.in)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != "amount" {
			t.Errorf("ParseAmount(%s, %q) = %v; want a FieldError on amount", c.cur, c.in, err)
		}
	}
}

func TestFormatAmountRoundTrips(t *testing.T) {
	cases := []struct {
		cur  string
		n    int64
		want string
	}{
		{"USD", 123450, "1234.50"}, {"USD", 1, "0.01"}, {"USD", 0, "0.00"}, {"USD", -5, "-0.05"},
		{"JPY", 1200, "1200"}, {"JPY", 0, "0"}, {"KWD", 1250, "1.250"}, {"KWD", 7, "0.007"},
		{"CNY", 500000, "5000.00"}, {"USD", math.MaxInt64, "92233720368547758.07"},
		{"USD", math.MinInt64, "-92233720368547758.08"},
	}
	for _, c := range cases {
		got := FormatAmount(c.cur, c.n)
		if got != c.want {
			t.Errorf("FormatAmount(%s, %d) = %q; want %q", c.cur, c.n, got, c.want)
		}
		if c.n >= 0 {
			if back, err := ParseAmount("amount", c.cur, got); err != nil || back != c.n {
				t.Errorf("round trip %s %q = %d, %v", c.cur, got, back, err)
			}
		}
	}
	if (Money{Currency: "JPY", Minor: 3000}).Amount() != "3000" {
		t.Error("Money.Amount for yen")
	}
}

func TestParseMoneyCurrency(t *testing.T) {
	for _, code := range []string{"USD", "EUR", "GBP", "CNY", "JPY", "INR", "BRL", "AUD", "CAD", "CHF", "KRW", "SGD", "KWD"} {
		if _, ok := CurrencyExponent(code); !ok {
			t.Errorf("%s unknown", code)
		}
	}
	m, err := ParseMoney("currency", "amount", "eur", "12.5")
	if err != nil || m != (Money{Currency: "EUR", Minor: 1250}) {
		t.Errorf("lower-case code: %+v %v", m, err)
	}
	_, err = ParseMoney("currency", "amount", "BTC", "1")
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "currency" {
		t.Errorf("unknown currency: %v", err)
	}
}
