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

package tokencache

import (
	"bytes"
	"compress/flate"
	"encoding/json"
	"io"
	"sync"

	sigsjson "sigs.k8s.io/json"
)

// codec keeps values as JSON deflated against a dictionary of typical
// values, so that a record costs about what its own values take (digests,
// names, times) rather than its field names and fixed strings as well. The
// dictionary is made from the types at start and never stored anywhere:
// what it holds changes a record's size, never what the record expands to.
type codec struct {
	dictionary []byte
	// Compressors are large (a flate writer holds its window and hash
	// tables): the informers share a few.
	writers, readers sync.Pool
}

func newCodec(dictionary []byte) *codec {
	c := &codec{dictionary: dictionary}
	c.writers.New = func() any {
		w, err := flate.NewWriterDict(nil, flate.DefaultCompression, dictionary)
		if err != nil {
			panic(err) // a constant level: cannot fail
		}
		return w
	}
	c.readers.New = func() any { return flate.NewReaderDict(bytes.NewReader(nil), dictionary) }
	return c
}

// encode is first, then v as deflated JSON.
func (c *codec) encode(first byte, v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	w := c.writers.Get().(*flate.Writer)
	defer c.writers.Put(w)
	var buf bytes.Buffer
	buf.Grow(len(raw) / 4)
	buf.WriteByte(first)
	w.Reset(&buf)
	if _, err := w.Write(raw); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()), nil
}

// decode fills v from what encode made. It fails only on bytes encode did
// not make.
func (c *codec) decode(b []byte, v any) error {
	r := c.readers.Get().(io.ReadCloser)
	defer c.readers.Put(r)
	if err := r.(flate.Resetter).Reset(bytes.NewReader(b), c.dictionary); err != nil {
		return err
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return sigsjson.UnmarshalCaseSensitivePreserveInts(raw, v)
}
