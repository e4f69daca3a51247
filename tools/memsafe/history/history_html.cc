// The memory history's dashboard (history.h, FormatHistoryHtml): one page, no script, no
// network. The plots are inline SVG drawn here: a few polylines need no charting library,
// and a page that loads nothing cannot break offline or leak a project's paths.
#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "common/text.h"
#include "history/history.h"

namespace memsafe::tools {
namespace {

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

// One plotted line: its name and a value per run (none where the run did not have it).
using Series = std::pair<std::string, std::vector<std::optional<double>>>;

// A line plot over the runs, one point (an SVG circle of class "point") per run of each
// series that has a value there, each with a tooltip naming the run.
std::string Plot(const std::string& id, const std::string& title, const std::vector<RunRecord>& runs,
                 const std::vector<Series>& series) {
  static const char* const kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
  constexpr double kWidth = 760, kHeight = 240, kLeft = 50, kRight = 150, kTop = 20, kBottom = 40;
  double top = 1;
  for (const Series& line : series) {
    for (const std::optional<double>& value : line.second) top = std::max(top, value.value_or(0));
  }
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  const auto x = [&](size_t i) { return kLeft + (runs.size() < 2 ? plot_w / 2 : plot_w * i / (runs.size() - 1)); };
  const auto y = [&](double v) { return kTop + plot_h * (1 - v / top); };
  std::ostringstream svg;
  svg << "<h2>" << Escape(title) << "</h2>\n<svg id=\"" << id << "\" class=\"plot\" width=\"" << kWidth
      << "\" height=\"" << kHeight << "\" viewBox=\"0 0 " << kWidth << " " << kHeight
      << "\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"" << Escape(title) << "\">\n";
  svg << "<line x1=\"" << kLeft << "\" y1=\"" << y(0) << "\" x2=\"" << kLeft + plot_w << "\" y2=\"" << y(0)
      << "\" stroke=\"#888\"/><line x1=\"" << kLeft << "\" y1=\"" << kTop << "\" x2=\"" << kLeft << "\" y2=\"" << y(0)
      << "\" stroke=\"#888\"/>\n";
  svg << "<text x=\"" << kLeft - 6 << "\" y=\"" << kTop + 4 << "\" text-anchor=\"end\">" << Number(top)
      << "</text><text x=\"" << kLeft - 6 << "\" y=\"" << y(0) + 4 << "\" text-anchor=\"end\">0</text>\n";
  if (!runs.empty()) {
    svg << "<text x=\"" << kLeft << "\" y=\"" << kHeight - 12 << "\">" << Escape(ShortCommit(runs.front().commit))
        << "</text><text x=\"" << kLeft + plot_w << "\" y=\"" << kHeight - 12 << "\" text-anchor=\"end\">"
        << Escape(ShortCommit(runs.back().commit)) << "</text>\n";
  }
  for (size_t s = 0; s < series.size(); ++s) {
    const char* colour = kColours[s % (sizeof kColours / sizeof kColours[0])];
    std::string points, circles;
    for (size_t i = 0; i < runs.size() && i < series[s].second.size(); ++i) {
      if (!series[s].second[i]) continue;
      const std::string at = Number(x(i)) + "," + Number(y(*series[s].second[i]));
      points += (points.empty() ? "" : " ") + at;
      circles += "<circle class=\"point\" data-series=\"" + Escape(series[s].first) + "\" data-run=\"" +
                 std::to_string(runs[i].id) + "\" data-value=\"" + Number(*series[s].second[i]) + "\" cx=\"" +
                 Number(x(i)) + "\" cy=\"" + Number(y(*series[s].second[i])) + "\" r=\"3\" fill=\"" + colour +
                 "\"><title>" +
                 Escape(series[s].first + " in run " + std::to_string(runs[i].id) + " (" + ShortCommit(runs[i].commit) +
                        ", " + runs[i].recorded_at + "): " + Number(*series[s].second[i])) +
                 "</title></circle>";
    }
    svg << "<polyline fill=\"none\" stroke=\"" << colour << "\" points=\"" << points << "\"/>" << circles << "\n";
    svg << "<text x=\"" << kWidth - kRight + 10 << "\" y=\"" << kTop + 16 * (s + 1) << "\" fill=\"" << colour << "\">"
        << Escape(series[s].first) << "</text>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

// The presets of the timeline, in the order they first appear.
std::vector<std::string> PresetNames(const std::vector<RunRecord>& runs) {
  std::vector<std::string> names;
  for (const RunRecord& run : runs) {
    for (const RecordedPreset& preset : run.presets) {
      if (std::find(names.begin(), names.end(), preset.preset) == names.end()) names.push_back(preset.preset);
    }
  }
  return names;
}

// A value of each preset in each run that ran it (and measured it).
std::vector<Series> PerPreset(const std::vector<RunRecord>& runs,
                              std::optional<double> (*value)(const RunRecord&, const RecordedPreset&)) {
  std::vector<Series> series;
  for (const std::string& name : PresetNames(runs)) {
    Series line{name, {}};
    for (const RunRecord& run : runs) {
      const auto preset = std::find_if(run.presets.begin(), run.presets.end(),
                                       [&name](const RecordedPreset& p) { return p.preset == name; });
      line.second.push_back(preset == run.presets.end() ? std::nullopt : value(run, *preset));
    }
    series.push_back(std::move(line));
  }
  return series;
}

// The peak heap of each memory-baseline scenario, in KiB, in each run that measured it.
std::vector<Series> PeakHeaps(const std::vector<RunRecord>& runs) {
  std::map<std::string, Series> by_scenario;
  for (size_t i = 0; i < runs.size(); ++i) {
    for (const RecordedPeak& peak : runs[i].peaks) {
      Series& line = by_scenario[peak.scenario];
      line.first = peak.scenario;
      line.second.resize(runs.size());
      line.second[i] = static_cast<double>(peak.peak_heap_bytes) / 1024.0;
    }
  }
  std::vector<Series> series;
  for (auto& [name, line] : by_scenario) series.push_back(std::move(line));
  return series;
}

// A plot, or a line saying why there is none: a plot of nothing measured would read as
// "zero".
std::string PlotOrWhyNot(const std::string& id, const std::string& title, const std::vector<RunRecord>& runs,
                         const std::vector<Series>& series, const std::string& why_not) {
  for (const Series& line : series) {
    for (const std::optional<double>& value : line.second) {
      if (value) return Plot(id, title, runs, series);
    }
  }
  return "<h2>" + Escape(title) + "</h2>\n<p id=\"" + id + "-none\">" + Escape(why_not) + "</p>\n";
}

std::string Location(const RecordedFinding& finding, const std::string& source_url) {
  if (finding.file.empty()) return "(no location)";
  const std::string where = finding.file + ":" + std::to_string(finding.line);
  return "<a href=\"" + Escape(source_url + finding.file + "#L" + std::to_string(finding.line)) + "\">" +
         Escape(where) + "</a>";
}

int DayOf(const std::string& recorded_at) { return ParseDate(recorded_at.substr(0, 10)).value_or(0); }

// The open findings of the last run, each with the run that first had it.
std::string OpenTable(const std::vector<RunRecord>& runs, const std::string& source_url) {
  std::ostringstream html;
  const RunRecord& last = runs.back();
  html << "<h2>Open findings in the last run</h2>\n";
  if (last.findings.empty()) return html.str() + "<p id=\"open-none\">None.</p>\n";
  html << "<table id=\"open\"><tr><th>kind</th><th>location</th><th>tools</th><th>first seen</th><th>age "
          "(days)</th></tr>\n";
  std::map<std::string, const RunRecord*> first_seen;  // one pass over the timeline, not one per finding
  for (const RunRecord& run : runs) {
    for (const RecordedFinding& finding : run.findings) first_seen.emplace(finding.signature, &run);
  }
  for (const RecordedFinding& finding : last.findings) {
    const RunRecord* first = first_seen.at(finding.signature);
    html << "<tr><td>" << Escape(finding.kind) << "</td><td>" << Location(finding, source_url) << "</td><td>"
         << Escape(Join(finding.tools, "+")) << "</td><td>" << Escape(ShortCommit(first->commit)) << " ("
         << Escape(first->recorded_at) << ")</td><td>" << DayOf(last.recorded_at) - DayOf(first->recorded_at)
         << "</td></tr>\n";
  }
  return html.str() + "</table>\n";
}

// Findings of the last ten runs before the last that the last run no longer has.
std::string FixedTable(const std::vector<RunRecord>& runs, const std::string& source_url) {
  std::set<std::string> open;
  for (const RecordedFinding& finding : runs.back().findings) open.insert(finding.signature);
  std::map<std::string, std::pair<RecordedFinding, size_t>> fixed;  // signature: the finding, its last run
  const size_t from = runs.size() > 11 ? runs.size() - 11 : 0;
  for (size_t i = from; i + 1 < runs.size(); ++i) {
    for (const RecordedFinding& finding : runs[i].findings) {
      if (open.count(finding.signature) == 0) fixed[finding.signature] = {finding, i};
    }
  }
  std::ostringstream html;
  html << "<h2>Fixed in the last runs</h2>\n";
  if (fixed.empty()) return html.str() + "<p id=\"fixed-none\">None.</p>\n";
  html << "<table id=\"fixed\"><tr><th>kind</th><th>location</th><th>last seen</th><th>gone since</th></tr>\n";
  for (const auto& [signature, entry] : fixed) {
    const RunRecord& seen = runs[entry.second];
    const RunRecord& gone = runs[entry.second + 1];
    html << "<tr><td>" << Escape(entry.first.kind) << "</td><td>" << Location(entry.first, source_url) << "</td><td>"
         << Escape(ShortCommit(seen.commit)) << " (" << Escape(seen.recorded_at) << ")</td><td>"
         << Escape(ShortCommit(gone.commit)) << " (" << Escape(gone.recorded_at) << ")</td></tr>\n";
  }
  return html.str() + "</table>\n";
}

// The suppression entries the last run needed: what hides findings, kept in view.
std::string SuppressionTable(const RunRecord& last) {
  std::ostringstream html;
  html << "<h2>Suppressions the last run needed</h2>\n";
  if (last.suppressions.empty()) return html.str() + "<p id=\"suppressions-none\">None.</p>\n";
  html << "<table id=\"suppressions\"><tr><th>file</th><th>entry</th><th>matches</th></tr>\n";
  for (const RecordedSuppression& used : last.suppressions) {
    html << "<tr><td>" << Escape(used.file) << "</td><td>" << Escape(used.entry) << "</td><td>" << used.matches
         << "</td></tr>\n";
  }
  return html.str() + "</table>\n";
}

}  // namespace

std::string FormatHistoryHtml(const std::vector<RunRecord>& runs, const std::string& source_url) {
  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>memsafe: memory history</title>\n"
          "<style>body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse}"
          "td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}svg text{font-size:11px}</style>\n"
          "</head><body>\n<h1>memsafe: memory history</h1>\n";
  if (runs.empty()) return html.str() + "<p>No run recorded yet (memsafe history record).</p>\n</body></html>\n";
  html << "<p id=\"summary\">" << runs.size() << " recorded run(s), from " << Escape(runs.front().recorded_at) << " ("
       << Escape(ShortCommit(runs.front().commit)) << ") to " << Escape(runs.back().recorded_at) << " ("
       << Escape(ShortCommit(runs.back().commit)) << ").</p>\n";
  html << Plot("open-findings", "Open findings per preset", runs,
               PerPreset(runs, [](const RunRecord& run, const RecordedPreset& preset) -> std::optional<double> {
                 return static_cast<double>(
                     std::count_if(run.findings.begin(), run.findings.end(), [&preset](const RecordedFinding& f) {
                       return std::find(f.presets.begin(), f.presets.end(), preset.preset) != f.presets.end();
                     }));
               }));
  html << Plot("test-time", "Test time per preset (seconds)", runs,
               PerPreset(runs, [](const RunRecord&, const RecordedPreset& p) -> std::optional<double> {
                 return double(p.test_seconds);
               }));
  html << Plot("wall-time", "Wall time per preset, build included (seconds)", runs,
               PerPreset(runs, [](const RunRecord&, const RecordedPreset& p) -> std::optional<double> {
                 return double(p.wall_seconds);
               }));
  html << PlotOrWhyNot(
      "overhead", "Tool overhead per preset (test time over the uninstrumented preset's, same tests)", runs,
      PerPreset(runs, [](const RunRecord&, const RecordedPreset& p) { return p.overhead; }),
      "Not measured in any recorded run: memsafe check measures it when the fast preset's build tree has test "
      "results (run memsafe check before memsafe check --memory-checks).");
  html << PlotOrWhyNot("peak-heap", "Peak heap per memory-baseline scenario (KiB, Valgrind massif)", runs,
                       PeakHeaps(runs),
                       "Not measured in any recorded run: record with --baseline FILE, the peaks `memsafe baseline "
                       "check --measured FILE` wrote.");
  html << OpenTable(runs, source_url) << FixedTable(runs, source_url) << SuppressionTable(runs.back())
       << "</body></html>\n";
  return html.str();
}

}  // namespace memsafe::tools
