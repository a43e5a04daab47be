package calendar_test

import (
	"fmt"
	"time"

	"github.com/crmkit/crm/calendar"
)

func ExampleCalendar_Evaluate() {
	cal := exampleCalendar()
	shanghai := cal.Location()
	at := func(day, hour, minute int) time.Time { return time.Date(2025, 9, day, hour, minute, 0, 0, shanghai) }

	// Resolve within 16 working hours; warn after 75% (12h).
	th := calendar.Thresholds{Target: 16 * time.Hour, WarnAt: 0.75}
	// A complaint arrived on Monday 2025-09-22 at 10:00; the service desk
	// waited on the customer from Tuesday 15:00 to Wednesday 10:00. Seen on
	// Monday, the pause has not happened yet and the deadline is Wednesday
	// 10:00; during the pause it is unknown; after it, Wednesday 15:00.
	timer := calendar.Timer{
		Start:  at(22, 10, 0),
		Pauses: []calendar.Interval{{Start: at(23, 15, 0), End: at(24, 10, 0)}},
	}
	for _, now := range []time.Time{at(22, 17, 0), at(23, 16, 0), at(24, 15, 0), at(25, 11, 0)} {
		ev, err := cal.Evaluate(timer, th, now)
		if err != nil {
			fmt.Println(err)
			return
		}
		deadline := "unknown"
		if !ev.Deadline.IsZero() {
			deadline = ev.Deadline.Format("Mon 15:04")
		}
		fmt.Printf("%s  %-8s elapsed %-6v remaining %-7v deadline %-9s paused %v\n",
			now.Format("Mon 15:04"), ev.State, ev.Elapsed, ev.Remaining, deadline, ev.Paused)
	}

	// Had it been resolved on Wednesday at 14:00, the clock would have
	// stopped after 15 working hours: the target met.
	timer.Stop = at(24, 14, 0)
	ev, err := cal.Evaluate(timer, th, at(26, 9, 0))
	fmt.Println(ev.State, ev.Elapsed, ev.Remaining, err)
	// Output:
	// Mon 17:00  ok       elapsed 6h0m0s remaining 10h0m0s deadline Wed 10:00 paused false
	// Tue 16:00  warning  elapsed 12h0m0s remaining 4h0m0s  deadline unknown   paused true
	// Wed 15:00  breached elapsed 16h0m0s remaining 0s      deadline Wed 15:00 paused false
	// Thu 11:00  breached elapsed 21h0m0s remaining -5h0m0s deadline Wed 15:00 paused false
	// met 15h0m0s 1h0m0s <nil>
}
