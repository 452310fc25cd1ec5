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

package httpserver

import (
	"fmt"
	"io"
	"net/http"
)

// maxDrainBytes is how much of an oversized body is read and thrown away so
// that the client, still sending, reads the 413 instead of a connection
// reset. Beyond it the connection is closed.
const maxDrainBytes = 4 << 20

// ReadBody reads a request body of at most limit bytes. An oversized body
// gets 413 with the error shape, and false: the handler is done. It is the
// one body limit of every endpoint.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	var raw []byte
	var err error
	if n := r.ContentLength; n > 0 && n <= limit {
		// The length is known (the server reads no more) and within the
		// limit: one buffer of that size, where io.ReadAll starts at 512
		// bytes and grows.
		raw = make([]byte, n)
		_, err = io.ReadFull(r.Body, raw)
	} else {
		raw, err = io.ReadAll(io.LimitReader(r.Body, limit+1))
	}
	if err != nil {
		WriteJSON(w, http.StatusBadRequest, ErrorBody{Error: "body: cannot be read", Parameter: "body"})
		return nil, false
	}
	if int64(len(raw)) <= limit {
		return raw, true
	}
	// Read the rest, so that the response is not lost to a reset while the
	// client is still sending; past maxDrainBytes, give up on the connection.
	if n, _ := io.Copy(io.Discard, io.LimitReader(r.Body, maxDrainBytes)); n >= maxDrainBytes {
		w.Header().Set("Connection", "close")
	}
	WriteJSON(w, http.StatusRequestEntityTooLarge, ErrorBody{Error: fmt.Sprintf("body: is larger than %d bytes", limit), Parameter: "body"})
	return nil, false
}

// limitBody reads the body (at most limit bytes, 413 past it) before h,
// which gets it with Body; a limit of 0 leaves the body to h.
func limitBody(limit int64, h http.Handler) http.Handler {
	if limit <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, ok := ReadBody(w, r, limit)
		if !ok {
			return
		}
		r.Body = &readBody{raw: raw}
		h.ServeHTTP(w, r)
	})
}

// readBody is a body limitBody has read.
type readBody struct {
	raw []byte
	off int
}

func (b *readBody) Read(p []byte) (int, error) {
	if b.off >= len(b.raw) {
		return 0, io.EOF
	}
	n := copy(p, b.raw[b.off:])
	b.off += n
	return n, nil
}

func (b *readBody) Close() error { return nil }

// Body is the body of a route with a MaxBody, as the chain read it; nil
// on a route without one.
func Body(r *http.Request) []byte {
	if b, ok := r.Body.(*readBody); ok {
		return b.raw
	}
	return nil
}
