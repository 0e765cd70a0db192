package bench

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
)

// SameData reports whether two GraphQL answers carry the same `data`
// (extensions such as the cost report are ignored), naming the first
// difference when they do not.
func SameData(ours, theirs []byte) error {
	var a, b struct {
		Data   any `json:"data"`
		Errors any `json:"errors"`
	}
	if err := json.Unmarshal(ours, &a); err != nil {
		return fmt.Errorf("decoding ours: %w", err)
	}
	if err := json.Unmarshal(theirs, &b); err != nil {
		return fmt.Errorf("decoding theirs: %w", err)
	}
	if a.Errors != nil || b.Errors != nil {
		return fmt.Errorf("errors: ours %v, theirs %v", a.Errors, b.Errors)
	}
	if a.Data == nil {
		return fmt.Errorf("no data in ours: %.200s", ours)
	}
	return diff("data", a.Data, b.Data)
}

// diff walks two decoded JSON values and returns the first difference.
func diff(path string, a, b any) error {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: object vs %T", path, b)
		}
		keys := make([]string, 0, len(x)+len(y))
		for k := range x {
			keys = append(keys, k)
		}
		for k := range y {
			if _, ok := x[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := diff(path+"."+k, x[k], y[k]); err != nil {
				return err
			}
		}
		return nil
	case []any:
		y, ok := b.([]any)
		if !ok {
			return fmt.Errorf("%s: list vs %T", path, b)
		}
		if len(x) != len(y) {
			return fmt.Errorf("%s: %d items vs %d", path, len(x), len(y))
		}
		for i := range x {
			if err := diff(fmt.Sprintf("%s[%d]", path, i), x[i], y[i]); err != nil {
				return err
			}
		}
		return nil
	}
	if !reflect.DeepEqual(a, b) {
		return fmt.Errorf("%s: %v vs %v", path, a, b)
	}
	return nil
}
