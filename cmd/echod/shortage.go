package main

import (
	"time"

	"github.com/sockcore/sockcore/internal/shortage"
)

// shortageLogEvery is how often echod logs, while accept keeps failing for
// want of descriptors (EMFILE, ENFILE), how many connections it closed at
// once meanwhile: one line per interval, not one per failure (83 a second
// flooded the journal).
const shortageLogEvery = 10 * time.Second

// newShortage is echod's open-files shortage guard (internal/shortage:
// one descriptor in reserve to close the clients beyond the limit at
// once), logging to srv.log.
func (srv *server) newShortage() *shortage.Guard {
	return shortage.New(shortageLogEvery, func(r shortage.Report) {
		switch r.Kind {
		case shortage.Started:
			srv.log.Error("out of descriptors: closing new connections at once until some close (raise the open-files limit)",
				"err", r.Err, "open_files_limit", r.Limit)
		case shortage.Ongoing:
			srv.log.Warn("out of descriptors", "closed_at_once", r.Closed, "accept_failures", r.Failed,
				"seconds", r.Since.Round(time.Second).Seconds())
		case shortage.Over:
			srv.log.Info("descriptors available again", "closed_at_once", r.Closed, "accept_failures", r.Failed)
		}
	})
}
