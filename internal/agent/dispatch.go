package agent

import "sync"

// dispatcher delivers events (and other ordered work) one at a time in
// submission order, so subscribers are never called concurrently and see one
// total order. Whoever submits while nobody is delivering delivers inline,
// then drains what others queued meanwhile; a submission made while someone
// else delivers (or from inside a subscriber) is queued. Waiting submissions
// return once their item has been delivered.
type dispatcher struct {
	mu      sync.Mutex
	cond    sync.Cond
	busy    bool
	queue   []dispatchItem
	queued  uint64 // items ever queued
	handled uint64 // queued items delivered
	deliver func(*Event)
}

// dispatchItem is a queued event (copied, so the submitter may reuse its
// own) or a function to run in order with the events.
type dispatchItem struct {
	ev Event
	fn func()
}

func newDispatcher(deliver func(*Event)) *dispatcher {
	d := &dispatcher{deliver: deliver}
	d.cond.L = &d.mu
	return d
}

// emit delivers ev. With wait, it returns only after ev has reached every
// subscriber; never wait from inside a subscriber.
func (d *dispatcher) emit(ev *Event, wait bool) {
	d.mu.Lock()
	if !d.busy {
		d.busy = true
		d.mu.Unlock()
		d.deliver(ev)
		d.drain()
		return
	}
	d.enqueue(dispatchItem{ev: *ev}, wait)
}

// do runs fn in order with the events. With wait, it returns after fn ran.
func (d *dispatcher) do(fn func(), wait bool) {
	d.mu.Lock()
	if !d.busy {
		d.busy = true
		d.mu.Unlock()
		fn()
		d.drain()
		return
	}
	d.enqueue(dispatchItem{fn: fn}, wait)
}

// enqueue is called with d.mu held and releases it.
func (d *dispatcher) enqueue(it dispatchItem, wait bool) {
	d.queue = append(d.queue, it)
	d.queued++
	mine := d.queued
	for wait && d.handled < mine {
		d.cond.Wait()
	}
	d.mu.Unlock()
}

// drain delivers queued items until none are left, then gives up delivery.
func (d *dispatcher) drain() {
	d.mu.Lock()
	for i := 0; i < len(d.queue); i++ {
		it := d.queue[i]
		d.queue[i] = dispatchItem{}
		d.mu.Unlock()
		if it.fn != nil {
			it.fn()
		} else {
			d.deliver(&it.ev)
		}
		d.mu.Lock()
		d.handled++
		d.cond.Broadcast()
	}
	d.queue = d.queue[:0]
	d.busy = false
	d.mu.Unlock()
}
