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

package sideband

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParseToken(t *testing.T) {
	const good = "dc6684370f014923b8a070c982601f75" // the API's documented example
	for _, tc := range []struct {
		body, err string
	}{
		{`{   "token": "` + good + `"}`, ""},
		{`{"token": "DC6684370F014923B8A070C982601F75"}`, "token: must be 32 characters, each a lowercase letter a-z or a digit 0-9"},
		{`{"token": "dc6684370f014923b8a070c982601f7"}`, "token: must be 32 characters"},
		{`{"token": "dc6684370f014923b8a070c982601f75x"}`, "token: must be 32 characters"},
		{`{"token": "dc6684370f014923b8a070c98260-f75"}`, "token: must be 32 characters"},
		{`{"token": ""}`, "token: required"},
		{`{}`, "token: required"},
		{`{"token": "` + good + `", "extra": 1}`, "the body must be the JSON object"},
		{`not json`, "the body must be the JSON object"},
		{``, "the body must be the JSON object"},
	} {
		v, err := ParseToken([]byte(tc.body))
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.body, err)
		case tc.err == "" && string(v.Reveal()) != good:
			t.Errorf("%s: parsed a different value", tc.body)
		case tc.err != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want %q", tc.body, err, tc.err)
		case err != nil && strings.Contains(err.Error(), "dc668437"):
			t.Errorf("%s: the error quotes the value: %v", tc.body, err)
		}
	}
}

// The shapes are the API's documented examples, minus the values we never
// echo.
func TestShapes(t *testing.T) {
	list := List{SidebandTokens: []Listed{Entry("3fec4c0"[2:], time.Date(2021, 5, 6, 14, 2, 44, 0, time.UTC))}}
	b, _ := json.Marshal(list)
	if got, want := string(b), `{"sideband_tokens":[{"token":"…ec4c0","created_at":"2021-May-06 14:02:44"}]}`; got != want {
		t.Errorf("list = %s, want %s", got, want)
	}
	b, _ = json.Marshal(Result{Status: StatusSuccess, Message: MessageImported})
	if got, want := string(b), `{"status":"success","status_message":"Sideband token imported."}`; got != want {
		t.Errorf("import = %s, want %s", got, want)
	}
	b, _ = json.Marshal(Created{Status: StatusCreated, Token: "v"})
	if got, want := string(b), `{"status":"token_created","token":"v"}`; got != want {
		t.Errorf("create = %s, want %s", got, want)
	}
	if g := Generate(); g.Length != 32 || g.Charset != Charset || g.Prefix != "" || g.Checksum {
		t.Errorf("generator %+v, want 32 of [a-z0-9]", g)
	}
}
