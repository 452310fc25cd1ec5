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

package factory

import (
	"flag"
	"strconv"

	"github.com/spf13/pflag"
	"k8s.io/klog/v2"
)

// addKlogFlags adds -v, the verbosity of client-go's request log (as in
// kubectl): -v=6 logs requests, -v=8 and above their bodies too.
func addKlogFlags(fs *pflag.FlagSet) {
	gfs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(gfs)
	_ = gfs.Set("logtostderr", "false")
	_ = gfs.Set("alsologtostderr", "false")
	// klog's flags are process-wide: each run starts from -v=0.
	_ = gfs.Set("v", "0")
	verbosity = gfs.Lookup("v")
	fs.AddGoFlag(verbosity)
}

// verbosity is klog's -v flag.
var verbosity *flag.Flag

// maxBodyQuietLevel is the highest -v at which client-go logs no bodies.
const maxBodyQuietLevel = 7

// quietBodies turns client-go's body log off (below -v=8) until the
// returned func is called: a read whose response holds a token value
// must not print it to stderr.
func quietBodies() (restore func()) {
	if verbosity == nil {
		return func() {}
	}
	old := verbosity.Value.String()
	if n, err := strconv.Atoi(old); err != nil || n <= maxBodyQuietLevel {
		return func() {}
	}
	_ = verbosity.Value.Set(strconv.Itoa(maxBodyQuietLevel))
	return func() { _ = verbosity.Value.Set(old) }
}
