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

package query

import (
	"errors"
	"net/url"
	"testing"
)

// The parsers must never panic, and every rejection must be a ParamError
// naming a parameter (a 400, never a 500). CI runs the seeds; run longer with
//   go test ./internal/query -run '^$' -fuzz FuzzParseList -fuzztime 5m

func FuzzParseList(f *testing.F) {
	for _, s := range []string{"", "page=1&pageSize=1000", "type=API_CLIENT,user&status=ACTIVE", "createdFrom=2026-01-01T00:00:00Z&createdTo=1",
		"sort=apiTokenTtl&order=desc", "page=99999999999999999999", "search=%00%ff", "namespace=,,,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		for _, parse := range []func(url.Values) (Query, error){ParseList, ParseV2} {
			q, err := parse(v)
			checkParamError(t, err)
			if err == nil {
				if q.PageSize < 1 || q.PageSize > MaxPageSize || q.Page < 0 {
					t.Fatalf("accepted paging page=%d pageSize=%d", q.Page, q.PageSize)
				}
				Run(sampleModel(), q, Visibility{All: true})
			}
		}
	})
}

func FuzzParseBody(f *testing.F) {
	for _, s := range []string{"", "{}", `{"searchTerms":{"allOf":[{"field":"TOKEN_NAME","terms":["Automation"],"operator":"LIKE"}],"anyOf":[]},"filters":{"tokenType":["API_CLIENT","USER"],"tokenStatus":["ACTIVE","EXPIRED"]}}`,
		`{"filters":{"createdFrom":1e400}}`, `{"filters":{"createdFrom":"2026-01-01T00:00:00Z","createdTo":0}}`, "[", "null"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		q, err := ParseBody(url.Values{}, []byte(body))
		checkParamError(t, err)
		if err == nil {
			Run(sampleModel(), q, Visibility{All: true})
		}
	})
}

func checkParamError(t *testing.T, err error) {
	t.Helper()
	var pe *ParamError
	if err != nil && (!errors.As(err, &pe) || pe.Parameter == "" || pe.Message == "") {
		t.Fatalf("rejection without a parameter: %v", err)
	}
}
