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

package waiting

import (
	"context"
	"errors"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// A read cut short by the wait's deadline ends the wait as a timeout, so
// that the user reads what the token was doing, not a client-go error.
func TestPollErr(t *testing.T) {
	limiter := errors.New("client rate limiter Wait returned an error: rate: Wait(n=1) would exceed context deadline")
	forbidden := errors.New(`apitokens.auth.apitoken.io "x" is forbidden`)
	withDeadline, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	expired, cancel2 := context.WithTimeout(context.Background(), -time.Second)
	defer cancel2()
	for _, c := range []struct {
		name      string
		ctx       context.Context
		err       error
		interrupt bool
	}{
		{"the rate limiter refuses to wait past the deadline", withDeadline, limiter, true},
		{"the deadline passed", expired, forbidden, true},
		{"a real error before the deadline", withDeadline, forbidden, false},
		{"the limiter's words without a deadline", context.Background(), limiter, false},
		{"no error", withDeadline, nil, false},
	} {
		if got := wait.Interrupted(pollErr(c.ctx, c.err)); got != c.interrupt {
			t.Errorf("%s: interrupted = %v, want %v", c.name, got, c.interrupt)
		}
	}
}
