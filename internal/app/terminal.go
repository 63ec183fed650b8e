package app

import (
	"errors"
	"os"

	"github.com/pi-forge/pi-forge/internal/api"
	"github.com/pi-forge/pi-forge/internal/terminal"
)

// registerTerminal builds the terminal manager (shells through the one
// launcher: scrubbed env, passthrough names, tool env, sandbox identity),
// mounts the terminal WebSocket and ends every PTY at shutdown.
func (a *App) registerTerminal() error {
	cfg := a.Config
	m, err := terminal.New(terminal.Options{
		Launcher:  a.Launcher,
		Shell:     os.Getenv("SHELL"),
		IdleReap:  cfg.PTYIdleReap,
		Keepalive: cfg.TerminalWSKeepalive,
		Logger:    a.Log,
	})
	if err != nil {
		return err
	}
	a.Terminals = m
	api.RegisterTerminal(a.Server, api.TerminalSource{
		Manager:     m,
		AuthEnabled: a.Auth.Enabled,
		CheckToken: func(token string) error {
			p, err := a.Auth.CheckToken(token, true)
			if err != nil {
				return err
			}
			if p.MustChangePassword {
				return errors.New("token only allows changing the password")
			}
			return nil
		},
		ProjectDir: func(id string) (string, error) {
			p, err := a.Projects.Get(id)
			return p.Path, err
		},
		CORSOrigin: cfg.CORSOrigin,
		Logger:     a.Log,
	})
	a.Server.OnShutdown(m.Shutdown)
	return nil
}

// activePtys is /health's activePtys: terminals alive, attached or not.
func (a *App) activePtys() int {
	if a.Terminals == nil {
		return 0
	}
	return a.Terminals.Active()
}
