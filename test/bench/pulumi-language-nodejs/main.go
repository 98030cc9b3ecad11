// pulumi-language-nodejs for the test bench: a small Node.js language host for the Pulumi engine.
//
// Why it exists: the bench builds the Pulumi CLI from the Go module proxy, but the proxy this
// project can reach does not serve the module of Pulumi's own Node.js language host
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3). This host implements the
// part of the LanguageRuntime gRPC service that preview, up, refresh and destroy use, and runs
// programs the same way: through @pulumi/pulumi's own `cmd/run` entry point, resolved from the
// program's directory. A machine that has Pulumi's official host on PATH uses that one instead
// (scripts/ensure-pulumi.sh).
//
// Protocol, as the engine expects it: the engine address is the last command-line argument; the
// host listens on 127.0.0.1 and prints its port alone on the first line of stdout; it serves until
// SIGINT/SIGTERM.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is set with -ldflags "-X main.version=3.x.y" to the release of the CLI built beside it.
var version = "3.0.0"

// bailExitCode is what @pulumi/pulumi's run script exits with after it has already reported an
// error the user can act on; the engine then prints nothing more.
const bailExitCode = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// GetRequiredPackages and GetRequiredPlugins report nothing: the engine then loads provider plugins
// on demand, from PATH or the plugin cache, when a resource needs one.
func (h *host) GetRequiredPackages(context.Context, *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *host) GetRequiredPlugins(context.Context, *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *host) GetProgramDependencies(context.Context, *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}

// InstallDependencies: the bench installs dependencies with npm itself; answering with an empty
// stream keeps `pulumi install` from waiting on a stream that never comes.
func (h *host) InstallDependencies(*pulumirpc.InstallDependenciesRequest, grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse]) error {
	return nil
}

func (h *host) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("node is not on PATH: %w", err)
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("node --version: %w", err)
	}
	return &pulumirpc.AboutResponse{Executable: node, Version: strings.TrimPrefix(strings.TrimSpace(string(out)), "v")}, nil
}

// programLocation returns the program directory, the entry point and the root directory, from
// ProgramInfo when the engine sends it and from the older pwd/program fields otherwise.
func programLocation(req *pulumirpc.RunRequest) (programDir, entryPoint, rootDir string) {
	if info := req.GetInfo(); info != nil && info.GetProgramDirectory() != "" {
		entry := info.GetEntryPoint()
		if entry == "" {
			entry = "."
		}
		return info.GetProgramDirectory(), entry, info.GetRootDirectory()
	}
	program := req.GetProgram()
	if program == "" {
		program = "."
	}
	return req.GetPwd(), program, req.GetPwd()
}

// runtimeOption reads runtime.options.<name> from Pulumi.yaml, as sent in ProgramInfo.
func runtimeOption(req *pulumirpc.RunRequest, name string) (string, bool) {
	opts := req.GetInfo().GetOptions()
	if opts == nil {
		return "", false
	}
	value, ok := opts.GetFields()[name]
	if !ok {
		return "", false
	}
	switch v := value.AsInterface().(type) {
	case string:
		return v, true
	case bool:
		return strconv.FormatBool(v), true
	default:
		return fmt.Sprint(v), true
	}
}

// configEnv turns the engine's config map ("ns:key") into the PULUMI_CONFIG the SDK reads
// ("ns:config:key").
func configEnv(config map[string]string) (string, error) {
	out := make(map[string]string, len(config))
	for key, value := range config {
		if ns, name, found := strings.Cut(key, ":"); found {
			key = ns + ":config:" + name
		}
		out[key] = value
	}
	data, err := json.Marshal(out)
	return string(data), err
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "node is not on PATH: install Node.js 20 or later"}, nil
	}
	programDir, entryPoint, rootDir := programLocation(req)

	runPath := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if runPath == "" {
		resolve := exec.CommandContext(ctx, node, "-e", "console.log(require.resolve('@pulumi/pulumi/cmd/run'))")
		resolve.Dir = programDir
		out, err := resolve.Output()
		if err != nil {
			return &pulumirpc.RunResponse{Error: fmt.Sprintf(
				"@pulumi/pulumi is not installed where the program %s can require it: run npm install there (%v)",
				programDir, err)}, nil
		}
		runPath = strings.TrimSpace(string(out))
	}

	args := []string{}
	if nodeArgs, ok := runtimeOption(req, "nodeargs"); ok && nodeArgs != "" {
		args = append(args, strings.Fields(nodeArgs)...)
	}
	args = append(args, runPath, "--monitor", req.GetMonitorAddress(), "--engine", h.engineAddress)
	for _, flag := range []struct{ name, value string }{
		{"--organization", req.GetOrganization()},
		{"--project", req.GetProject()},
		{"--root-directory", rootDir},
		{"--stack", req.GetStack()},
		{"--pwd", programDir},
	} {
		if flag.value != "" {
			args = append(args, flag.name, flag.value)
		}
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	args = append(args, "--parallel", strconv.Itoa(int(req.GetParallel())), entryPoint)
	args = append(args, req.GetArgs()...)

	config, err := configEnv(req.GetConfig())
	if err != nil {
		return nil, err
	}
	secretKeys, err := json.Marshal(req.GetConfigSecretKeys())
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(), "PULUMI_CONFIG="+config, "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys))
	if ts, ok := runtimeOption(req, "typescript"); !ok || ts != "false" {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if tsconfig, ok := runtimeOption(req, "tsconfig"); ok && tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+tsconfig)
	}

	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = programDir
	cmd.Env = env
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			if exit.ExitCode() == bailExitCode {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exit.ExitCode())}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Problem executing program (could not run language executor): %v", err)}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

func main() {
	args := os.Args[1:]
	for _, arg := range args {
		if arg == "-version" || arg == "--version" {
			fmt.Println(version)
			return
		}
	}
	// Flags the engine may pass (--tracing X, --logtostderr, -v=N, -root=X) are ignored; the engine
	// address always comes last.
	if len(args) == 0 || strings.HasPrefix(args[len(args)-1], "-") {
		fmt.Fprintln(os.Stderr, "usage: pulumi-language-nodejs [flags] ENGINE_ADDRESS")
		os.Exit(2)
	}
	h := &host{engineAddress: args[len(args)-1]}

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(1)
	}
	server := grpc.NewServer(grpc.MaxRecvMsgSize(400 * 1024 * 1024))
	pulumirpc.RegisterLanguageRuntimeServer(server, h)
	fmt.Printf("%d\n", listener.Addr().(*net.TCPAddr).Port)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		server.Stop()
	}()
	if err := server.Serve(listener); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}
