package config

import (
	"testing"
	"time"
)

func TestParseQuietHours(t *testing.T) {
	tests := []struct {
		in      string
		want    QuietHours
		wantErr bool
	}{
		{"", QuietHours{}, false},
		{"21:00-07:00", QuietHours{21 * time.Hour, 7 * time.Hour, true}, false},
		{"12:30-13:45", QuietHours{12*time.Hour + 30*time.Minute, 13*time.Hour + 45*time.Minute, true}, false},
		{"00:00-06:00", QuietHours{0, 6 * time.Hour, true}, false},
		{"22:00-00:00", QuietHours{22 * time.Hour, 0, true}, false},
		{"21:00 - 07:00", QuietHours{}, true},
		{"9:00-17:00", QuietHours{}, true},
		{"21:60-07:00", QuietHours{}, true},
		{"24:00-07:00", QuietHours{}, true},
		{"08:00-08:00", QuietHours{}, true},
		{"night", QuietHours{}, true},
	}
	for _, tt := range tests {
		got, err := ParseQuietHours(tt.in)
		if (err != nil) != tt.wantErr || (err == nil && got != tt.want) {
			t.Errorf("ParseQuietHours(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err == nil && got.String() != tt.in {
			t.Errorf("ParseQuietHours(%q).String() = %q", tt.in, got.String())
		}
	}
}

func TestQuietHours(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04:05", s, sh)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	night, _ := ParseQuietHours("21:00-07:00")
	noon, _ := ParseQuietHours("12:00-14:00")
	late, _ := ParseQuietHours("22:00-00:00")
	tests := []struct {
		name     string
		q        QuietHours
		t        string
		contains bool
		end      string
	}{
		{"before wrap window", night, "2026-03-10 20:59:59", false, "2026-03-11 07:00:00"},
		{"wrap start", night, "2026-03-10 21:00:00", true, "2026-03-11 07:00:00"},
		{"wrap evening", night, "2026-03-10 23:30:00", true, "2026-03-11 07:00:00"},
		{"wrap midnight", night, "2026-03-11 00:00:00", true, "2026-03-11 07:00:00"},
		{"wrap morning", night, "2026-03-11 06:59:59", true, "2026-03-11 07:00:00"},
		{"wrap end exclusive", night, "2026-03-11 07:00:00", false, "2026-03-12 07:00:00"},
		{"wrap day", night, "2026-03-11 12:00:00", false, "2026-03-12 07:00:00"},
		{"wrap over month end", night, "2026-01-31 22:00:00", true, "2026-02-01 07:00:00"},
		{"wrap over year end", night, "2026-12-31 23:59:59", true, "2027-01-01 07:00:00"},
		{"wrap over leap day", night, "2028-02-28 22:00:00", true, "2028-02-29 07:00:00"},
		{"day window before", noon, "2026-03-10 11:59:00", false, "2026-03-10 14:00:00"},
		{"day window inside", noon, "2026-03-10 13:00:00", true, "2026-03-10 14:00:00"},
		{"day window after", noon, "2026-03-10 14:00:00", false, "2026-03-11 14:00:00"},
		{"ends at midnight", late, "2026-03-10 23:59:59", true, "2026-03-11 00:00:00"},
		{"ends at midnight, at midnight", late, "2026-03-11 00:00:00", false, "2026-03-12 00:00:00"},
		{"disabled", QuietHours{}, "2026-03-10 23:00:00", false, "2026-03-10 23:00:00"},
	}
	for _, tt := range tests {
		tm := at(tt.t)
		if got := tt.q.Contains(tm); got != tt.contains {
			t.Errorf("%s: %v.Contains(%s) = %v", tt.name, tt.q, tt.t, got)
		}
		got := tt.q.NextEnd(tm)
		if want := at(tt.end); !got.Equal(want) || got.Location() != sh {
			t.Errorf("%s: %v.NextEnd(%s) = %v, want %v", tt.name, tt.q, tt.t, got, want)
		}
		if tt.contains && got.Sub(tm) > 24*time.Hour {
			t.Errorf("%s: window ends more than a day later", tt.name)
		}
	}
	// Asia/Shanghai has no DST: every night's window is exactly 10 hours.
	for d := 1; d <= 365; d += 7 {
		start := time.Date(2026, 1, d, 21, 0, 0, 0, sh)
		if got := night.NextEnd(start).Sub(start); got != 10*time.Hour {
			t.Errorf("%v: window lasts %v", start, got)
		}
	}
}

func TestWorkingDays(t *testing.T) {
	c := Default()
	c.Holidays = []Date{{2026, 10, 1}, {2026, 10, 2}}
	c.Workdays = []Date{{2026, 10, 10}}
	tests := []struct {
		day     string
		working bool
		holiday bool
	}{
		{"2026-09-30", true, false},  // Wednesday
		{"2026-10-01", false, true},  // Thursday, holiday
		{"2026-10-02", false, true},  // Friday, holiday
		{"2026-10-03", false, false}, // Saturday
		{"2026-10-10", true, false},  // Saturday, make-up working day
		{"2026-10-11", false, false}, // Sunday
		{"2026-10-12", true, false},  // Monday
	}
	for _, tt := range tests {
		d, err := ParseDate(tt.day)
		if err != nil {
			t.Fatal(err)
		}
		// 23:30 UTC the day before is already this day in Shanghai.
		tm := d.In(time.UTC).Add(-30 * time.Minute)
		if got := c.IsWorkingDay(tm); got != tt.working {
			t.Errorf("IsWorkingDay(%s) = %v", tt.day, got)
		}
		if got := c.IsHoliday(tm); got != tt.holiday {
			t.Errorf("IsHoliday(%s) = %v", tt.day, got)
		}
		if d.String() != tt.day {
			t.Errorf("String() = %s, want %s", d, tt.day)
		}
	}
}
