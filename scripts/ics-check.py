"""Reads an iCalendar file with the `icalendar` package and checks its all-day events against what
was expected. Usage: ics-check.py FILE EXPECTED_JSON, where EXPECTED_JSON maps each event's UID to
[summary, first day, last day, location] (days as YYYY-MM-DD, both included). Prints what it read; exits 1 on
any difference (a missing, extra or changed event, a DTEND that is not the day after the last)."""

import datetime
import json
import sys

import icalendar


def main() -> int:
    path, expected = sys.argv[1], json.loads(sys.argv[2])
    with open(path, "rb") as f:
        calendar = icalendar.Calendar.from_ical(f.read())
    found = {}
    for event in calendar.walk("VEVENT"):
        start, end = event["DTSTART"].dt, event["DTEND"].dt
        if isinstance(start, datetime.datetime) or isinstance(end, datetime.datetime):
            print(f"{event['UID']}: not an all-day event ({start!r}, {end!r})")
            return 1
        last = end - datetime.timedelta(days=1)
        location = str(event.get("LOCATION", ""))
        found[str(event["UID"])] = [str(event["SUMMARY"]), start.isoformat(), last.isoformat(), location]
    for uid, values in sorted(found.items()):
        print(f"{uid}: {values[0]} {values[1]} .. {values[2]} at {values[3]}")
    if found != expected:
        print(f"expected {json.dumps(expected, ensure_ascii=False)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
