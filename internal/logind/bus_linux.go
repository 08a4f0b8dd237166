package logind

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"

	sd "github.com/coreos/go-systemd/v22/dbus"
	"github.com/godbus/dbus/v5"
)

// Keep moves req.Pids out of the login session's scope where logind would
// kill them at logout; see the package doc.
func Keep(req Request) Result {
	// The clock starts at the first dial: most launches never dial, and a
	// timer is not free for them (the runtime's first one sets up its
	// poller, a dozen system calls and a thread).
	var ctx context.Context
	cancel := func() {}
	defer func() { cancel() }()
	bus := func() context.Context {
		if ctx == nil {
			ctx, cancel = context.WithTimeout(context.Background(), busTimeout)
		}
		return ctx
	}
	return keeper{
		procRoot:    "/proc",
		uid:         os.Getuid(),
		dialLogin:   func() (login, error) { return dialLogin(bus()) },
		dialManager: func() (manager, error) { return dialManager(bus()) },
		late:        func() bool { return ctx != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) },
	}.keep(req)
}

// auth is the EXTERNAL authentication with our uid: no user name lookup.
func auth(conn *dbus.Conn) error {
	if err := conn.Auth([]dbus.Auth{dbus.AuthExternal(strconv.Itoa(os.Getuid()))}); err != nil {
		conn.Close()
		return err
	}
	return nil
}

// logindBus is logind's Manager object on the system bus.
type logindBus struct {
	ctx  context.Context
	conn *dbus.Conn
	obj  dbus.BusObject
}

func dialLogin(ctx context.Context) (login, error) {
	if _, err := os.Stat("/run/systemd/system"); err != nil {
		return nil, errors.New("systemd is not running") // sd_booted(3)'s test
	}
	conn, err := dbus.SystemBusPrivate(dbus.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	if err := auth(conn); err != nil {
		return nil, err
	}
	if err := conn.Hello(); err != nil {
		conn.Close()
		return nil, err
	}
	return &logindBus{ctx: ctx, conn: conn, obj: conn.Object("org.freedesktop.login1", "/org/freedesktop/login1")}, nil
}

func (l *logindBus) Close() { l.conn.Close() }

// get stores the property iface.name of obj in v.
func (l *logindBus) get(obj dbus.BusObject, iface, name string, v any) error {
	return obj.CallWithContext(l.ctx, "org.freedesktop.DBus.Properties.Get", 0, iface, name).Store(v)
}

// Settings asks for the three properties at once, without waiting for
// each answer before sending the next question: one round trip, not three,
// on every launch from a login session.
func (l *logindBus) Settings() (s Settings, err error) {
	const m = "org.freedesktop.login1.Manager"
	done := make(chan *dbus.Call, 3)
	calls := []*dbus.Call{
		l.obj.GoWithContext(l.ctx, "org.freedesktop.DBus.Properties.Get", 0, done, m, "KillUserProcesses"),
		l.obj.GoWithContext(l.ctx, "org.freedesktop.DBus.Properties.Get", 0, done, m, "KillOnlyUsers"),
		l.obj.GoWithContext(l.ctx, "org.freedesktop.DBus.Properties.Get", 0, done, m, "KillExcludeUsers"),
	}
	for range calls {
		<-done
	}
	err = errors.Join(calls[0].Store(&s.KillUserProcesses), calls[1].Store(&s.KillOnlyUsers), calls[2].Store(&s.KillExcludeUsers))
	return s, err
}

func (l *logindBus) User(uid int) (name string, linger bool, err error) {
	var path dbus.ObjectPath
	err = l.obj.CallWithContext(l.ctx, "org.freedesktop.login1.Manager.GetUser", 0, uint32(uid)).Store(&path)
	if err != nil {
		return "", false, err
	}
	u := l.conn.Object("org.freedesktop.login1", path)
	const iu = "org.freedesktop.login1.User"
	err = errors.Join(l.get(u, iu, "Name", &name), l.get(u, iu, "Linger", &linger))
	return name, linger, err
}

// SetLinger turns linger on for uid, not interactively: polkit decides
// from its rules alone, and logind says no for it when it refuses.
func (l *logindBus) SetLinger(uid int) error {
	err := l.obj.CallWithContext(l.ctx, "org.freedesktop.login1.Manager.SetUserLinger", 0, uint32(uid), true, false).Err
	var derr dbus.Error
	if errors.As(err, &derr) && derr.Error() != derr.Name {
		// "Permission denied" alone does not say who denied it.
		return fmt.Errorf("%w (%s)", err, derr.Name)
	}
	return err
}

// userManager is a connection to the user's systemd manager.
type userManager struct {
	ctx  context.Context
	conn *sd.Conn
}

// dialManager connects as systemd-run --user does: to the manager's
// private socket in the user's runtime directory (there whenever the
// manager runs, with or without a session bus), else to the session bus.
// The directory is logind's /run/user/UID rather than $XDG_RUNTIME_DIR,
// which after sudo can still be the invoking user's.
func dialManager(ctx context.Context) (manager, error) {
	private := "/run/user/" + strconv.Itoa(os.Getuid()) + "/systemd/private"
	conn, err := sd.NewConnection(func() (*dbus.Conn, error) {
		// A direct connection to systemd: no bus daemon, so no Hello,
		// and systemd sends its signals (JobRemoved) to every such peer.
		c, err := dbus.Dial("unix:path="+private, dbus.WithContext(ctx))
		if err != nil {
			return nil, err
		}
		return c, auth(c)
	})
	if err != nil && os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		conn, err = sd.NewUserConnectionContext(ctx)
	}
	if err != nil {
		return nil, err
	}
	return &userManager{ctx: ctx, conn: conn}, nil
}

func (m *userManager) Close() { m.conn.Close() }

// StartScope is `systemd-run --user --scope`'s request: the pids, in
// app.slice where the user's applications go, collected once it has
// stopped even if it failed (no `reset-failed` needed).
func (m *userManager) StartScope(name, description string, pids []int) error {
	u32 := make([]uint32, len(pids))
	for i, p := range pids {
		u32[i] = uint32(p)
	}
	props := []sd.Property{
		sd.PropDescription(description),
		sd.PropSlice("app.slice"),
		sd.PropPids(u32...),
		{Name: "CollectMode", Value: dbus.MakeVariant("inactive-or-failed")},
	}
	// go-systemd registers the job under its lock before it reads any
	// signal, so a JobRemoved that comes at once is not missed.
	done := make(chan string, 1)
	_, err := m.conn.StartTransientUnitContext(m.ctx, name, "fail", props, done)
	var derr dbus.Error
	if errors.As(err, &derr) && derr.Name == "org.freedesktop.systemd1.UnitExists" {
		return errUnitExists
	}
	if err != nil {
		return err
	}
	select {
	case result := <-done:
		if result != "done" {
			return fmt.Errorf("systemd's job to start %s ended %q", name, result)
		}
		return nil
	case <-m.ctx.Done():
		return fmt.Errorf("no word from systemd on starting %s: %w", name, m.ctx.Err())
	}
}
