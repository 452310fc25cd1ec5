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

// Package logging keeps token values out of logs that the operator does not
// write itself. client-go logs the body of every request and response at
// verbosity 8 and above (Secrets included, through the contextual logger a
// reconcile passes down), so the operator's logger never enables those levels,
// whatever --zap-log-level asks for.
package logging

import "github.com/go-logr/logr"

// MaxVerbosity is the highest V-level that is ever logged. client-go's
// request and response bodies start at 8.
const MaxVerbosity = 7

// Clamp returns a logger that drops every V-level above MaxVerbosity.
func Clamp(l logr.Logger) logr.Logger {
	if l.GetSink() == nil {
		return l
	}
	return logr.New(clampSink{l.GetSink()})
}

type clampSink struct{ logr.LogSink }

var _ logr.CallDepthLogSink = clampSink{}

func (s clampSink) Enabled(level int) bool {
	return level <= MaxVerbosity && s.LogSink.Enabled(level)
}

func (s clampSink) Info(level int, msg string, kv ...any) {
	if level <= MaxVerbosity {
		s.LogSink.Info(level, msg, kv...)
	}
}

func (s clampSink) WithValues(kv ...any) logr.LogSink { return clampSink{s.LogSink.WithValues(kv...)} }

func (s clampSink) WithName(name string) logr.LogSink { return clampSink{s.LogSink.WithName(name)} }

func (s clampSink) WithCallDepth(depth int) logr.LogSink {
	if cd, ok := s.LogSink.(logr.CallDepthLogSink); ok {
		return clampSink{cd.WithCallDepth(depth)}
	}
	return s
}
