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

package signing

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestKeySetRoundTrip(t *testing.T) {
	a, err := NewKey(t0, t0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewKey(t0, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	data, err := KeySet{b, a}.Data()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != a.ID || got[1].ID != b.ID || !got[1].SignFrom.Equal(b.SignFrom) {
		t.Fatalf("parsed %+v, want a then b", got)
	}
	if !got[0].private.Equal(a.private) {
		t.Error("the private key did not survive the round trip")
	}
	if a.ID == b.ID || len(a.ID) != 43 {
		t.Errorf("key ids %q, %q: want distinct base64url SHA-256 thumbprints", a.ID, b.ID)
	}
}

func TestParseErrorsNameTheFieldNotTheKey(t *testing.T) {
	k, err := NewKey(t0, t0)
	if err != nil {
		t.Fatal(err)
	}
	data, err := KeySet{k}.Data()
	if err != nil {
		t.Fatal(err)
	}
	var doc storedSet
	if err := json.Unmarshal(data[DataKey], &doc); err != nil {
		t.Fatal(err)
	}
	pemKey := doc.Keys[0].PrivateKey
	edit := func(f func(*storedKey)) map[string][]byte {
		d := doc
		d.Keys = []storedKey{doc.Keys[0]}
		f(&d.Keys[0])
		raw, _ := json.Marshal(d)
		return map[string][]byte{DataKey: raw}
	}
	cases := map[string]struct {
		data map[string][]byte
		want string
	}{
		"missing":     {map[string][]byte{}, "data[keys.json]: missing"},
		"not json":    {map[string][]byte{DataKey: []byte(pemKey)}, "not a key set document"},
		"empty":       {map[string][]byte{DataKey: []byte(`{"keys":[]}`)}, "keys: empty"},
		"other kid":   {edit(func(s *storedKey) { s.ID = "x" }), "keys[0]: kid: not the key's thumbprint"},
		"other alg":   {edit(func(s *storedKey) { s.Algorithm = "RS256" }), `keys[0]: alg: "RS256" is not supported`},
		"bad pem":     {edit(func(s *storedKey) { s.PrivateKey = pemKey[:40] }), "keys[0]: privateKey: not a PKCS #8 PEM block"},
		"no signFrom": {edit(func(s *storedKey) { s.SignFrom = time.Time{} }), "keys[0]: signFrom: missing"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(c.data)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Parse: %v, want %q", err, c.want)
			}
			body := strings.Split(pemKey, "\n")[1]
			if strings.Contains(err.Error(), body[:20]) {
				t.Fatalf("the error shows key material: %v", err)
			}
		})
	}
}
