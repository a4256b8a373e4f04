package sockcore

import (
	"errors"
	"fmt"
)

// Errors of the services and protocols lookups, with Python's texts.
var (
	ErrServiceNotFound  = errors.New("service/proto not found")
	ErrPortNotFound     = errors.New("port/proto not found")
	ErrProtocolNotFound = errors.New("protocol not found")
)

func (r *Resolver) services() []ServEnt {
	return cachedParse(r.path(r.ServicesFile, "/etc/services"), "services", parseServices)
}

func (r *Resolver) protocols() []ProtoEnt {
	return cachedParse(r.path(r.ProtocolsFile, "/etc/protocols"), "protocols", parseProtocols)
}

// Services returns every entry of the services file, in file order
// (getservent).
func (r *Resolver) Services() []ServEnt { return append([]ServEnt{}, r.services()...) }

// Protocols returns every entry of the protocols file, in file order
// (getprotoent).
func (r *Resolver) Protocols() []ProtoEnt { return append([]ProtoEnt{}, r.protocols()...) }

// clone copies the aliases: the parsed file is shared.
func (s ServEnt) clone() ServEnt { s.Aliases = append([]string{}, s.Aliases...); return s }

// clone copies the aliases: the parsed file is shared.
func (p ProtoEnt) clone() ProtoEnt { p.Aliases = append([]string{}, p.Aliases...); return p }

// findServByName is nss_files' getservbyname: the first line whose name or
// an alias is name (case-sensitive) and, when proto is not "", whose
// protocol is proto.
func findServByName(l []ServEnt, name, proto string) (ServEnt, bool) {
	for _, s := range l {
		if proto != "" && s.Proto != proto {
			continue
		}
		if s.Name == name {
			return s.clone(), true
		}
		for _, a := range s.Aliases {
			if a == name {
				return s.clone(), true
			}
		}
	}
	return ServEnt{}, false
}

// nssFiles is glibc's getXXbyYY_r loop for a database whose only source
// sockcore implements is files (services, protocols; glibc's default when
// nsswitch.conf has no line): found is whether the files hold the key.
// Other sources are skipped as modules glibc cannot load. These databases
// have no merge functions: a SUCCESS whose action is merge becomes UNAVAIL,
// and the lookup then fails (getent exits 2) unless a later source's
// NOTFOUND turns it back, which files cannot give for a key it just found.
func (r *Resolver) nssFiles(db string, found bool) bool {
	srcs := cachedParse(r.path(r.NSSwitchFile, "/etc/nsswitch.conf"), "nsswitch "+db, func(data []byte) []nssSource {
		if out, ok := nssLine(data, db); ok {
			return out
		}
		return []nssSource{{Name: "files", ReturnOn: defaultActions()}}
	})
	status := nssUnavail
	merging := false
	for _, src := range srcs {
		if src.Name != "files" {
			status = nssUnavail
			if src.ReturnOn["unavail"] {
				break
			}
			continue
		}
		status = nssNotFound
		if found {
			status = nssSuccess
		}
		status = mergeStatus(src, status, &merging)
		if src.ReturnOn[nssStatusKey[status]] {
			break
		}
	}
	return status == nssSuccess
}

// ServByName is getservbyname(3): the entry of a service name or alias,
// for proto ("" for any).
func (r *Resolver) ServByName(name, proto string) (ServEnt, bool) {
	s, ok := findServByName(r.services(), name, proto)
	if !r.nssFiles("services", ok) {
		return ServEnt{}, false
	}
	return s, ok
}

// ServByPort is getservbyport(3): the first entry with port (and proto,
// unless "").
func (r *Resolver) ServByPort(port int, proto string) (ServEnt, bool) {
	for _, s := range r.services() {
		if s.Port == port && (proto == "" || s.Proto == proto) {
			return s.clone(), r.nssFiles("services", true)
		}
	}
	return ServEnt{}, false
}

// ProtoByName is getprotobyname(3): the entry whose name or an alias is
// name (case-sensitive).
func (r *Resolver) ProtoByName(name string) (ProtoEnt, bool) {
	for _, p := range r.protocols() {
		if p.Name == name {
			return p.clone(), r.nssFiles("protocols", true)
		}
		for _, a := range p.Aliases {
			if a == name {
				return p.clone(), r.nssFiles("protocols", true)
			}
		}
	}
	return ProtoEnt{}, false
}

// ProtoByNumber is getprotobynumber(3).
func (r *Resolver) ProtoByNumber(n int) (ProtoEnt, bool) {
	for _, p := range r.protocols() {
		if p.Number == n {
			return p.clone(), r.nssFiles("protocols", true)
		}
	}
	return ProtoEnt{}, false
}

// GetServByName is socket.getservbyname: the port of a service, for proto
// ("" for any).
func GetServByName(name, proto string) (int, error) {
	s, ok := defaultResolver.ServByName(name, proto)
	if !ok {
		return 0, ErrServiceNotFound
	}
	return s.Port, nil
}

// GetServByPort is socket.getservbyport: the name of the service on port,
// for proto ("" for any).
func GetServByPort(port int, proto string) (string, error) {
	if checkPort(port) != nil {
		return "", fmt.Errorf("getservbyport: port must be 0-65535")
	}
	s, ok := defaultResolver.ServByPort(port, proto)
	if !ok {
		return "", ErrPortNotFound
	}
	return s.Name, nil
}

// GetProtoByName is socket.getprotobyname: the number of a protocol.
func GetProtoByName(name string) (int, error) {
	p, ok := defaultResolver.ProtoByName(name)
	if !ok {
		return 0, ErrProtocolNotFound
	}
	return p.Number, nil
}

// GetProtoByNumber is getprotobynumber(3): the name of protocol n.
func GetProtoByNumber(n int) (string, error) {
	p, ok := defaultResolver.ProtoByNumber(n)
	if !ok {
		return "", ErrProtocolNotFound
	}
	return p.Name, nil
}
