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

package console

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"

	"github.com/apitoken-io/apitoken-operator/internal/query"
)

// apiError is the JSON API's error shape.
type apiError struct {
	Code      int    `json:"-"`
	Message   string `json:"error"`
	Parameter string `json:"parameter"`
}

func (e *apiError) Error() string { return e.Message }

// written is the JSON API's answer to a write: the value only for a
// hash-only token just created or regenerated.
type written struct {
	Token    string         `json:"token"`
	ApiToken query.TokenDTO `json:"apiToken"`
}

// recorder keeps an in-process API answer.
type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.body.Write(b)
}

func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}

// call sends one request to the JSON API in-process, as the person (their
// credential, their client address), and decodes a 2xx answer into out.
// Any other answer is an *apiError in the API's words.
func (c *Console) call(r *http.Request, s *session, method, path string, params url.Values, body, out any) error {
	var in io.Reader = http.NoBody
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		in = bytes.NewReader(raw)
	}
	if len(params) > 0 {
		path += "?" + params.Encode()
	}
	req, err := http.NewRequestWithContext(r.Context(), method, path, in)
	if err != nil {
		return err
	}
	req.RemoteAddr = r.RemoteAddr
	req.Header.Set("Content-Type", "application/json")
	if s.credential != "" {
		req.Header.Set("Authorization", s.credential)
	}
	rec := &recorder{header: http.Header{}}
	c.api.ServeHTTP(rec, req)
	if rec.code/100 != 2 {
		e := &apiError{Code: rec.code}
		if json.Unmarshal(rec.body.Bytes(), e) != nil || e.Message == "" {
			e.Message = http.StatusText(rec.code)
		}
		return e
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(rec.body.Bytes(), out)
}
