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

// Command manager runs the apitoken-operator: the ApiToken controller (on the
// leader), the query, verify and forward-auth HTTP servers (on every
// replica), metrics and health probes. Its flags are internal/options'.
package main

import (
	"flag"
	"os"
	"runtime/debug"

	_ "k8s.io/client-go/plugin/pkg/client/auth"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/apitoken-io/apitoken-operator/internal/logging"
	"github.com/apitoken-io/apitoken-operator/internal/operator"
	"github.com/apitoken-io/apitoken-operator/internal/options"
)

var setupLog = ctrl.Log.WithName("setup")

func main() {
	opts := options.NewOperatorOptions()
	opts.AddFlags(flag.CommandLine)
	zapOpts := zap.Options{Development: false}
	zapOpts.BindFlags(flag.CommandLine)
	flag.Parse()
	// Clamped: client-go logs request bodies, Secrets included, at -v 8 and up.
	logger := logging.Clamp(zap.New(zap.UseFlagOptions(&zapOpts)))
	ctrl.SetLogger(logger)
	klog.SetLogger(logger)

	opts.Complete(flag.CommandLine, options.DetectEnvironment())
	if err := opts.Validate(); err != nil {
		setupLog.Error(err, "Invalid flags")
		os.Exit(1)
	}
	if err := run(opts); err != nil {
		setupLog.Error(err, "Stopped")
		os.Exit(1)
	}
}

// run starts the manager with the operator and blocks until it stops.
func run(opts *options.OperatorOptions) error {
	softLimit, err := operator.SoftMemoryLimit(os.Getenv, opts.MemoryLimitRatio)
	if err != nil {
		return err
	}
	if softLimit > 0 {
		debug.SetMemoryLimit(softLimit)
		setupLog.Info("Go runtime memory limit set", "limitMiB", softLimit>>20, "ratio", opts.MemoryLimitRatio)
	}
	cfg, err := ctrl.GetConfig()
	if err != nil {
		return err
	}
	cfg.QPS, cfg.Burst = float32(opts.KubeAPIQPS), opts.KubeAPIBurst
	mgr, err := ctrl.NewManager(cfg, opts.ManagerOptions())
	if err != nil {
		return err
	}
	ctx := ctrl.SetupSignalHandler()
	if _, err := operator.Setup(ctx, mgr, opts.Operator()); err != nil {
		return err
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return err
	}
	setupLog.Info("Starting manager")
	return mgr.Start(ctx)
}
