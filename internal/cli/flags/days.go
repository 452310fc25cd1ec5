/*
Copyright 2026 The apitoken-operator Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

// Package flags are the flag types and values the plugin's commands share:
// durations in days, the CRD's enums in any spelling, fixed completions.
package flags

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// days is a duration flag that also takes whole days ("14d", "90d"), the
// unit people think of token lifetimes in, besides Go durations ("36h").
type days struct {
	d   *time.Duration
	set bool
}

// DaysVar defines a duration flag that also takes whole days.
func DaysVar(fs *pflag.FlagSet, p *time.Duration, name string, value time.Duration, usage string) {
	*p = value
	fs.Var(&days{d: p}, name, usage)
}

func (f *days) String() string {
	if f.d == nil {
		return ""
	}
	return FormatDays(*f.d)
}

func (f *days) Set(s string) error {
	d, err := parseDays(s)
	if err != nil {
		return err
	}
	*f.d, f.set = d, true
	return nil
}

func (f *days) Type() string { return "duration" }

// parseDays reads "14d", "1d12h" or any Go duration; negative is refused.
func parseDays(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var total time.Duration
	if i := strings.Index(s, "d"); i > 0 {
		n, err := strconv.ParseInt(s[:i], 10, 32)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q is not a duration: use whole days (\"90d\") or a Go duration (\"36h\", \"1d12h\")", s)
		}
		total = time.Duration(n) * 24 * time.Hour
		s = s[i+1:]
		if s == "" {
			return total, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration: use whole days (\"90d\") or a Go duration (\"36h\", \"1d12h\")", s)
	}
	return total + d, nil
}

// FormatDays prints whole days as "14d", else a Go duration.
func FormatDays(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}
