// Package calendar measures time the way service levels do: in working
// time on a business calendar, with the clock stopped while the business
// waits on the customer.
//
// # Calendars
//
// A [Config] says when a business works in one IANA time zone: the working
// [Span]s of each weekday (09:00-12:00 and 13:00-18:00, say), whole-day
// Holidays, and Exceptions that give single dates their own spans (a half
// day on Christmas Eve, a working Saturday before a public holiday, each day
// of a summer shutdown). [New] validates it, reporting every problem at
// once with paths such as "week.monday[1].end", and returns an immutable
// [Calendar], safe for concurrent use. A Config is plain data with JSON
// tags: times of day are written "09:00", spans "09:00-12:00", dates
// "2025-12-24", and the week as an object keyed by day name.
//
// # Working time
//
// [Calendar.IsWorking] says whether an instant is working time,
// [Calendar.Between] measures the working time between two instants,
// [Calendar.Add] finds the instant a given amount of working time is
// reached (a deadline), and [Calendar.NextWorking] the next working
// instant. [Calendar.BetweenExcluding] and [Calendar.AddExcluding] do the
// same with the clock stopped during pauses ([Interval]s); a pause that is
// still open makes a deadline beyond its start unknown ([ErrPaused]).
// Searches give up after [Horizon], about ten years ([ErrBeyondHorizon]).
//
// All results are exact to the nanosecond and deterministic; nothing here
// reads the clock, starts goroutines or does I/O after [New] (which loads
// the time zone).
//
// # Time zones and daylight saving
//
// The rule is: an instant is working time when the calendar's local wall
// clock, read at that instant, shows a date and time of day inside one of
// that date's spans. So on the days the clocks change:
//
//   - Spring forward: the wall-clock times that are skipped never show, so
//     a span loses them. In America/New_York on 2025-03-09 the clocks jump
//     from 02:00 to 03:00, and a span 01:00-03:00 gives 1 hour of work.
//   - Fall back: the wall-clock times that repeat show twice, so a span
//     covering them gains them twice. In America/New_York on 2025-11-02 the
//     clocks go back from 02:00 to 01:00, and a span 01:00-03:00 gives 3
//     hours; a span 01:00-01:30 gives 1 hour (both passes of 01:00-01:30).
//   - A 24/7 calendar (00:00-24:00 every day) works every instant, so
//     Between(from, to) is always to − from; its spring-forward day holds
//     23 hours of work and its fall-back day 25.
//
// Zones without daylight saving, such as Asia/Shanghai or UTC, have no
// such days. Instants before year 1 or from year 10000 on are never
// working time.
//
// # Service levels
//
// A [Timer] records when a service-level clock started, when it was paused
// and when it stopped; [Thresholds] give the target working time and the
// fraction of it after which to warn. [Calendar.Evaluate] reports, for any
// instant, the [State] (ok, warning, breached while running; met or missed
// once stopped), the working time elapsed and remaining, and the deadline
// and warning instants. It depends only on what was known at the instant
// evaluated, so hosts evaluate open complaints on demand; there are no
// timers inside the library.
//
//	ok → warning → breached        (running: Elapsed reaches WarnAt, then Target)
//	stopped: met (Elapsed < Target) or missed (Elapsed >= Target)
//
// # Performance
//
// Each calendar keeps the working time of a regular week, of every
// weekday, and running totals of how the holidays and exceptions differ
// from their weekdays, plus a table of the zone's UTC offsets for
// 1900–2199. Between and Add therefore cost a few binary searches per
// change of UTC offset crossed, however many weeks they span; neither
// walks days or minutes. Evaluating 100,000 timers at one instant takes a
// small fraction of a second on one core (see the package benchmarks).
package calendar
