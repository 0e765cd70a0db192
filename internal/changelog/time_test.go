package changelog_test

import "time"

func testTime(hour int) time.Time { return time.Date(2026, 3, 14, hour, 0, 0, 0, time.UTC) }
