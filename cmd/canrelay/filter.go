package main

import (
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/sockcore/sockcore/internal/cli"
	"github.com/sockcore/sockcore/pkg/canframe"
	"github.com/sockcore/sockcore/pkg/sockcore"
)

// filterSet is candump's receive filter list for one socket.
type filterSet struct {
	filters []sockcore.CANFilter
	errMask uint32
	join    bool
}

// addFilter parses one candump filter item:
//
//	ID:MASK   pass when can_id & MASK == ID & MASK
//	ID~MASK   pass when it does not
//	#ERRMASK  receive the error frames of these classes (CAN_ERR_*)
//	j         a frame must pass every filter, not any one
//
// Values are hex; an 8-digit ID sets CAN_EFF_FLAG, as candump does.
func (fs *filterSet) addFilter(s string) error {
	switch {
	case s == "j" || s == "J":
		fs.join = true
		return nil
	case strings.HasPrefix(s, "#"):
		v, err := strconv.ParseUint(s[1:], 16, 32)
		if err != nil {
			return cli.Usagef("error filter %q: want #HEXMASK", s)
		}
		fs.errMask |= uint32(v) & canframe.ErrMask
		return nil
	}
	sep := strings.IndexAny(s, ":~")
	if sep < 0 {
		return cli.Usagef("filter %q: want ID:MASK, ID~MASK, #ERRMASK or j", s)
	}
	id, err1 := strconv.ParseUint(s[:sep], 16, 32)
	mask, err2 := strconv.ParseUint(s[sep+1:], 16, 32)
	if err1 != nil || err2 != nil || sep == 0 || sep == len(s)-1 {
		return cli.Usagef("filter %q: ID and MASK are hex numbers", s)
	}
	f := sockcore.CANFilter{ID: uint32(id), Mask: uint32(mask) &^ canframe.ErrFlag}
	if sep == 8 {
		f.ID |= canframe.EFFFlag
	}
	if s[sep] == '~' {
		f.ID |= unix.CAN_INV_FILTER
	}
	fs.filters = append(fs.filters, f)
	return nil
}

// apply sets the filters on a CAN_RAW socket. With none set the socket
// keeps the kernel's default (every frame, no error frames).
func (fs *filterSet) apply(s *sockcore.Socket) error {
	if len(fs.filters) > 0 {
		if err := s.SetCANRawFilter(fs.filters); err != nil {
			return err
		}
	}
	if fs.errMask != 0 {
		if err := s.SetCANRawErrFilter(fs.errMask); err != nil {
			return err
		}
	}
	if fs.join {
		return s.SetCANRawJoinFilters(true)
	}
	return nil
}

// match is the kernel's filter decision in user space (net/can/af_can.c and
// raw.c): error frames by the error mask, others by any (or with join,
// every) filter; no filters pass everything.
func (fs *filterSet) match(canID uint32) bool {
	if canID&canframe.ErrFlag != 0 {
		return canID&fs.errMask&canframe.ErrMask != 0
	}
	if len(fs.filters) == 0 {
		return true
	}
	for _, f := range fs.filters {
		inv := f.ID&unix.CAN_INV_FILTER != 0
		id := f.ID &^ unix.CAN_INV_FILTER
		ok := (canID&f.Mask == id&f.Mask) != inv
		if fs.join && !ok {
			return false
		}
		if !fs.join && ok {
			return true
		}
	}
	return fs.join
}
