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

package metrics

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
)

// The per-token gauges, written on each scrape straight from the read model
// in Prometheus' text format, the way kube-state-metrics writes its
// per-object series: several series per ApiToken, and a registry would
// build every one of them as objects before writing the first (at 100,000
// tokens half a gigabyte and two seconds of CPU per scrape,
// BenchmarkScrape). Written line by line, a scrape costs a buffer.

// timestampFamily is a per-token gauge whose value is one of the row's
// dates; a row without that date has no series in it.
type timestampFamily struct {
	name, help string
	ms         func(*readmodel.Row) int64
}

var timestampFamilies = []timestampFamily{
	{"apitoken_expiration_timestamp_seconds", "When the token expires (Unix seconds); absent for tokens without ttl.",
		func(r *readmodel.Row) int64 { return r.Expires }},
	{"apitoken_last_used_timestamp_seconds", "When the token was last verified (Unix seconds); absent if never.",
		func(r *readmodel.Row) int64 { return r.LastUsed }},
	{"apitoken_renewal_timestamp_seconds", "When the token is rotated automatically (Unix seconds); absent without rotation.renewBefore.",
		func(r *readmodel.Row) int64 { return r.Renews }},
}

const (
	statusName = "apitoken_status"
	statusHelp = "The token's status: 1 for the current one, 0 for the others."
)

// statusOrder is every TokenStatus in the order a registry sorts the
// status label's values.
var statusOrder = func() []authv1alpha1.TokenStatus {
	s := slices.Clone(authv1alpha1.TokenStatuses)
	slices.Sort(s)
	return s
}()

// WriteTokenSeries writes the per-token gauges of every ApiToken the read
// model holds to w, in the text exposition format (version 0.0.4): for
// each family its HELP and TYPE, then one line per series, labels in
// name order. want, when not nil, says which families to write. A replica
// that does not lead writes nothing. It stops at the first write that
// fails (the scraper went away).
func (c *Collector) WriteTokenSeries(w io.Writer, want func(family string) bool) error {
	if c.Leading != nil && !c.Leading() {
		return nil
	}
	snap := c.Model.Snapshot()
	s := seriesWriter{w: bufio.NewWriterSize(w, 32<<10)}
	for _, f := range timestampFamilies {
		if want != nil && !want(f.name) {
			continue
		}
		started := false
		snap.Walk(readmodel.SortName, false, 0, func(r *readmodel.Row) bool {
			ms, ok := readmodel.Value(f.ms(r))
			if !ok {
				return true
			}
			if !started {
				s.header(f.name, f.help)
				started = true
			}
			s.line = appendTokenLabels(append(s.line[:0], f.name...), r)
			return s.write(appendValue(s.line, float64(ms)/1000))
		})
	}
	if snap.Len() > 0 && (want == nil || want(statusName)) {
		s.header(statusName, statusHelp)
		snap.Walk(readmodel.SortName, false, 0, func(r *readmodel.Row) bool {
			for _, st := range statusOrder {
				s.line = append(s.line[:0], statusName...)
				s.line = appendLabel(append(s.line, '{'), "name", r.Name)
				s.line = appendLabel(append(s.line, ','), "namespace", r.Namespace)
				s.line = appendLabel(append(s.line, ','), "status", string(st))
				v := 0.0
				if r.Status() == st {
					v = 1
				}
				if !s.write(appendValue(append(s.line, '}'), v)) {
					return false
				}
			}
			return true
		})
	}
	if s.err != nil {
		return s.err
	}
	return s.w.Flush()
}

// seriesWriter writes lines until one fails, and keeps the line buffer.
type seriesWriter struct {
	w    *bufio.Writer
	line []byte
	err  error
}

// write writes line (and keeps it as the buffer for the next); false once
// a write has failed.
func (s *seriesWriter) write(line []byte) bool {
	s.line = line
	if s.err == nil {
		_, s.err = s.w.Write(line)
	}
	return s.err == nil
}

// header writes a family's HELP and TYPE lines.
func (s *seriesWriter) header(name, help string) {
	s.write(fmt.Appendf(s.line[:0], "# HELP %s %s\n# TYPE %s gauge\n", name, helpEscaper.Replace(help), name))
}

// appendTokenLabels appends the timestamp gauges' label set.
func appendTokenLabels(b []byte, r *readmodel.Row) []byte {
	b = appendLabel(append(b, '{'), "name", r.Name)
	b = appendLabel(append(b, ','), "namespace", r.Namespace)
	b = appendLabel(append(b, ','), "principal", r.Principal())
	b = appendLabel(append(b, ','), "type", string(r.Type()))
	return append(b, '}')
}

// appendLabel appends name="value", the value escaped as the text format
// wants it (backslash, double quote and line feed) and made valid UTF-8.
func appendLabel(b []byte, name, value string) []byte {
	b = append(append(b, name...), '=', '"')
	if !utf8.ValidString(value) {
		value = strings.ToValidUTF8(value, string(utf8.RuneError))
	}
	for i := 0; i < len(value); i++ {
		switch c := value[i]; c {
		case '\\':
			b = append(b, '\\', '\\')
		case '"':
			b = append(b, '\\', '"')
		case '\n':
			b = append(b, '\\', 'n')
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// appendValue appends " value\n", formatted as client_golang formats it.
func appendValue(b []byte, f float64) []byte {
	b = append(b, ' ')
	switch {
	case f == 1:
		b = append(b, '1')
	case f == 0:
		b = append(b, '0')
	case math.IsNaN(f):
		b = append(b, "NaN"...)
	case math.IsInf(f, 1):
		b = append(b, "+Inf"...)
	case math.IsInf(f, -1):
		b = append(b, "-Inf"...)
	default:
		b = strconv.AppendFloat(b, f, 'g', -1, 64)
	}
	return append(b, '\n')
}

var helpEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
