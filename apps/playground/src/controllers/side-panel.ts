/**
 * The side panel: tabs for the selected frame's details, the hazards, the events, the
 * counters and the timeline. Only the selected tab is drawn, at the position shown.
 */
import { counterCharts } from "../model/counter-series.js";
import type { Session } from "../model/session.js";
import { CounterCharts } from "../view/counter-charts.js";
import { EventLog } from "../view/event-log.js";
import { FrameDetails } from "../view/frame-details.js";
import { HazardList, type FindingMark } from "../view/hazard-list.js";
import type { LinkTargets } from "../view/links.js";
import { Tabs } from "../view/tabs.js";
import { timelines, type RunTimeline } from "../model/timeline.js";
import { TimelineView } from "../view/timeline-view.js";

/** What the side panel shows. */
export interface PanelView {
  /** The session. */
  readonly session: Session;
  /** The position. */
  readonly pos: number;
  /** The selected frame, if any. */
  readonly selected: number | undefined;
  /** (issue 21) The hazard an opened explore finding is about, if any. */
  readonly finding?: FindingMark;
}

/** What the side panel asks of the app; its links (step, frame) lead there too. */
export interface SidePanelHost extends LinkTargets {
  /** What to show now (undefined before the first session). */
  view(): PanelView | undefined;
}

/** Owns the tabs and their panels. */
export class SidePanel {
  /** The tabs (place them in the side pane). */
  readonly element: HTMLElement;
  private readonly tabs: Tabs;
  private readonly details: FrameDetails;
  private readonly hazards: HazardList;
  private readonly events: EventLog;
  private readonly charts: CounterCharts;
  private readonly timeline: TimelineView;
  /** The timelines last built, and what they were built from (rebuilt only when the recordings grow). */
  private built: { readonly from: Session; readonly events: number; readonly tls: RunTimeline[] } | undefined;

  /** Make the panels; their links lead to `host`. */
  constructor(private readonly host: SidePanelHost) {
    const links: LinkTargets = { go: (p) => host.go(p), select: (pfn) => host.select(pfn) };
    this.details = new FrameDetails((pfn) => host.select(pfn));
    this.hazards = new HazardList(links);
    this.events = new EventLog(links);
    this.charts = new CounterCharts();
    this.timeline = new TimelineView(links);
    this.tabs = new Tabs([
      { id: "frame", label: "Frame", panel: this.details.element },
      { id: "hazards", label: "Hazards", panel: this.hazards.element },
      { id: "events", label: "Events", panel: this.events.element },
      { id: "counters", label: "Counters", panel: this.charts.element },
      { id: "timeline", label: "Timeline", panel: this.timeline.element },
    ], (id) => {
      // The timeline gets a wider side pane (styles.css, `.layout.wide-side`).
      this.element.closest(".layout")?.classList.toggle("wide-side", id === "timeline");
      this.render();
    });
    this.element = this.tabs.element;
  }

  /** Show the frame tab (drawn afresh). */
  showFrame(): void {
    if (this.tabs.selected !== "frame") this.tabs.select("frame");
    else this.render();
  }

  /** (issue 21) Show the hazards tab (drawn afresh). */
  showHazards(): void {
    if (this.tabs.selected !== "hazards") this.tabs.select("hazards");
    else this.render();
  }

  private timelinesOf(s: Session): RunTimeline[] {
    const events = s.recordings.reduce((n, r) => n + (r.eventEnd[r.eventEnd.length - 1] ?? 0), 0);
    if (this.built?.from !== s || this.built.events !== events) this.built = { from: s, events, tls: timelines(s.recordings) };
    return this.built.tls;
  }

  /** Draw the selected tab. */
  render(): void {
    const v = this.host.view();
    if (v === undefined) return;
    const { session: s, pos } = v;
    switch (this.tabs.selected) {
      case "frame":
        this.details.update(v.selected, s.runs.map((_, i) => s.machine(i, pos)));
        break;
      case "hazards":
        this.hazards.update(s.recordings, pos, s.view.distinct, v.finding);
        break;
      case "events":
        this.events.update(s.recordings, pos);
        break;
      case "counters":
        this.charts.update(counterCharts(s.recordings, pos), pos);
        break;
      case "timeline":
        this.timeline.update(this.timelinesOf(s), pos);
        break;
    }
  }
}
