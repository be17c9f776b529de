#include "src/runner/sweep.hpp"
#include "src/kit/suggest.hpp"

#include "src/kit/cpus.hpp"
#include "src/kit/machine.hpp"
#include "src/kit/stopwatch.hpp"
#include "src/runner/case_json.hpp"
#include "src/runner/case_loop.hpp"
#include "src/runner/interrupt.hpp"
#include "src/runner/output_file.hpp"
#include "src/runner/runner.hpp"

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace conclab {
namespace {

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto const end = std::min(text.find(separator, start), text.size());
        parts.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}


nlohmann::json grid_json(SweepGrid const& grid) {
    nlohmann::json axes = nlohmann::json::object();
    for (auto const& axis : grid.axes) {
        nlohmann::json values = nlohmann::json::array();
        for (auto const& value : axis.values) values.push_back(params_to_json({{axis.name, value}}).at(axis.name));
        axes[axis.name] = std::move(values);
    }
    nlohmann::json models = nlohmann::json::array();
    for (auto const& m : grid.models) models.push_back(token(m));
    return {{"scenario", grid.scenario->name}, {"axes", std::move(axes)}, {"base", params_to_json(grid.base)},
            {"models", std::move(models)},     {"repeat", grid.repeat},     {"warmup", grid.warmup}};
}

// Writes one line and makes it durable before the next case starts.
// A file at `real` holding `content`, locked (flock) before it takes the
// name, open for appending: written under a new temporary name beside it,
// then linked to `real` (fails, returning -1, when something has that name)
// or, with `replace`, renamed over it. Throws UsageError when it cannot.
int create_locked(std::string const& real, std::string const& content, std::string const& path, bool replace = false) {
    std::string temporary;
    int fd = -1;
    try {
        fd = create_temporary_beside(real, temporary, O_APPEND, 0644);  // as a sweep file always was
    } catch (std::runtime_error const& e) {
        throw UsageError{"-o " + path + ": " + e.what()};
    }
    auto const fail = [&](std::string const& why) {
        ::close(fd);
        ::unlink(temporary.c_str());
        throw UsageError{"-o " + path + ": " + why};
    };
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) fail(std::string{"cannot lock it ("} + std::strerror(errno) + ")");
    try {
        write_all(fd, content, temporary);
        if (::fdatasync(fd) != 0) throw std::runtime_error{"cannot write " + temporary + ": " + std::strerror(errno)};
    } catch (std::runtime_error const& e) {
        fail(e.what());
    }
    if (replace) {
        if (std::rename(temporary.c_str(), real.c_str()) != 0) fail(std::string{"cannot replace it ("} + std::strerror(errno) + ")");
        return fd;
    }
    if (::link(temporary.c_str(), real.c_str()) != 0) {
        int const error = errno;
        ::close(fd);
        ::unlink(temporary.c_str());
        if (error == EEXIST) return -1;
        struct stat st{};
        if ((error == EPERM || error == EOPNOTSUPP) && ::lstat(real.c_str(), &st) != 0) {
            return create_locked(real, content, path, true);  // a file system without hard links (vfat, some FUSE)
        }
        throw UsageError{"-o " + path + ": cannot create it (" + std::strerror(error) + ")"};
    }
    ::unlink(temporary.c_str());
    return fd;
}

void append_line(int fd, std::string const& path, std::string line) {
    line += '\n';
    write_all(fd, line, path);
    ::fdatasync(fd);
}

}  // namespace

std::vector<ParamValue> parse_values(ParamSpec const& spec, std::string_view text) {
    std::vector<ParamValue> values;
    bool ranged = false;  // a value a range already holds may be listed beside it ("1..6*2,6"): kept once
    auto const range = [&](std::string_view part, std::size_t dots) {
        ranged = true;
        auto const rest = part.substr(dots + 2);
        auto const step_at = rest.find_first_of("*+");
        auto const bad = [&] {
            return UsageError{flag(spec) + " '" + std::string{part} + "': a range is FROM..TO*FACTOR or FROM..TO+STEP (e.g. 1..64*2)"};
        };
        if (step_at == std::string_view::npos) throw bad();
        auto const from = std::get<std::uint64_t>(parse_param(spec, part.substr(0, dots)));
        auto const to = std::get<std::uint64_t>(parse_param(spec, rest.substr(0, step_at)));
        std::uint64_t step = 0;
        auto const step_text = rest.substr(step_at + 1);
        auto const [end, error] = std::from_chars(step_text.data(), step_text.data() + step_text.size(), step);
        if (error != std::errc{} || end != step_text.data() + step_text.size() || from > to) throw bad();
        bool const geometric = rest[step_at] == '*';
        if (geometric ? (step < 2 || from == 0) : step == 0) throw bad();
        for (std::uint64_t v = from; v <= to; v = geometric ? v * step : v + step) {
            values.emplace_back(v);
            if (values.size() > 10'000) throw UsageError{flag(spec) + " '" + std::string{text} + "' has more than 10,000 values"};
            if (geometric ? v > to / step : v > to - step) break;
        }
    };
    for (auto part : split(text, ',')) {
        auto const dots = part.find("..");
        if (!spec.is_text() && dots != std::string_view::npos) {
            range(part, dots);
        } else {
            values.push_back(parse_param(spec, part));
        }
    }
    if (ranged) {
        std::set<std::string> kept;
        std::erase_if(values, [&](ParamValue const& v) { return !kept.insert(to_text(v)).second; });
    }
    std::set<std::string> seen;
    for (auto const& v : values) {
        if (!seen.insert(to_text(v)).second) throw UsageError{flag(spec) + " lists " + to_text(v) + " twice"};
    }
    return values;
}

std::vector<ParamValues> combinations(SweepGrid const& grid) {
    std::vector<ParamValues> out{grid.base};
    for (auto const& axis : grid.axes) {
        std::vector<ParamValues> next;
        for (auto const& partial : out) {
            for (auto const& value : axis.values) {
                auto values = partial;
                values[axis.name] = value;
                next.push_back(std::move(values));
            }
        }
        out = std::move(next);
    }
    return out;
}

void check_sweep_size(std::vector<SweepGrid> const& grids, std::uint64_t limit) {
    // saturating: the product of three 10,000-value axes by models and repetitions still fits, more axes may not
    auto const times = [](std::uint64_t a, std::uint64_t b) { return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b; };
    std::uint64_t total = 0;
    std::string shapes;
    for (auto const& grid : grids) {
        std::uint64_t cases = times(grid.models.size(), grid.repeat);
        std::string shape;
        for (auto const& axis : grid.axes) {
            cases = times(cases, axis.values.size());
            shape += std::to_string(axis.values.size()) + " " + axis.name + " x ";
        }
        total = total > UINT64_MAX - cases ? UINT64_MAX : total + cases;
        shapes += (shapes.empty() ? "" : "; ") + grid.scenario->name + ": " + shape + std::to_string(grid.models.size()) +
                  " models x " + std::to_string(grid.repeat) + " repetitions";
    }
    if (total > limit) {
        throw UsageError{"the sweep holds " + (total == UINT64_MAX ? std::string{"more than 10^19"} : std::to_string(total)) +
                         " cases (" + shapes + "); one sweep runs at most " + std::to_string(limit) +
                         ": give the axes fewer values, or split it into several sweeps"};
    }
}

Shard parse_shard(std::string_view text) {
    auto const parts = split(text, '/');
    unsigned k = 0, n = 0;
    auto const number = [](std::string_view part, unsigned& value) {
        auto const [end, error] = std::from_chars(part.data(), part.data() + part.size(), value);
        return !part.empty() && error == std::errc{} && end == part.data() + part.size();
    };
    if (parts.size() != 2 || !number(parts[0], k) || !number(parts[1], n) || k < 1 || n < 1 || k > n || n > 100'000) {
        throw UsageError{"--shard expects K/N with 1 <= K <= N (e.g. 2/8), got '" + std::string{text} + "'"};
    }
    return {k, n};
}

std::vector<SweepCase> sweep_cases(std::vector<SweepGrid> const& grids, Shard shard) {
    std::vector<SweepCase> cases;
    std::size_t combination_number = 0;  // across grids, so shards split presets evenly
    // a combination that an earlier grid has too (the calibration preset's task-tree of a million
    // leaves, say) gets more repetitions of the same case, numbered on from the earlier grid's:
    // a sweep file holds each (case, repetition) once. Counted over every shard, so shards agree.
    std::map<std::string, unsigned> planned;
    for (auto const& grid : grids) {
        auto const all = combinations(grid);
        for (std::size_t c = 0; c < all.size(); ++c, ++combination_number) {
            auto& earlier = planned[std::string{grid.scenario->name} + " " + params_to_json(all[c]).dump()];
            auto const first_repetition = std::exchange(earlier, earlier + grid.repeat);
            if (combination_number % shard.count != shard.index - 1) continue;
            // models the scenario refuses for this combination are left out (sweep says which)
            std::vector<ModelId> models = grid.models;
            std::string swept;
            for (auto const& axis : grid.axes) swept += (swept.empty() ? "" : " ") + axis.name + "=" + to_text(all[c].at(axis.name));
            for (auto const& refused : refused_models(*grid.scenario, all[c], grid.models)) std::erase(models, refused.first);
            for (unsigned rep = 0; rep < grid.repeat; ++rep) {
                for (auto const& model : order_for(models, rep)) {
                    cases.push_back({.scenario = grid.scenario, .combination = c, .params = all[c], .model = model,
                                     .repetition = first_repetition + rep, .warmup = grid.warmup, .swept = swept});
                }
            }
        }
    }
    return cases;
}

std::string case_key(std::string_view scenario, ParamValues const& params, std::string_view model, unsigned repetition) {
    return std::string{scenario} + " " + params_to_json(params).dump() + " " + std::string{model} + " " + std::to_string(repetition);
}

std::string case_key(std::string_view scenario, ParamValues const& params, ModelId const& model, unsigned repetition) {
    return case_key(scenario, params, std::string_view{token(model)}, repetition);
}

nlohmann::json sweep_header(std::vector<SweepGrid> const& grids, Shard shard, std::vector<std::string> const& command,
                            std::vector<unsigned> const& cpus) {
    nlohmann::json list = nlohmann::json::array();
    for (auto const& grid : grids) list.push_back(grid_json(grid));
    // what sweep_cases() leaves out, with why, so a report can say so
    nlohmann::json left_out = nlohmann::json::array();
    for (auto const& grid : grids) {
        for (auto const& values : combinations(grid)) {
            for (auto const& [model, reason] : refused_models(*grid.scenario, values, grid.models)) {
                left_out.push_back({{"scenario", grid.scenario->name}, {"params", params_to_json(values)}, {"model", token(model)},
                                    {"reason", reason}});
            }
        }
    }
    return {{"schema", "conclab-sweep"},
            {"schema_version", sweep_schema_version},
            {"grids", std::move(list)},
            {"shard", std::to_string(shard.index) + "/" + std::to_string(shard.count)},
            {"started_utc", utc_now()},
            {"command", command},
            {"conclab", describe_build()},
            {"machine", describe_machine()},
            {"cpus", cpus.empty() ? nlohmann::json(nullptr) : nlohmann::json(format_cpu_list(cpus))},
            {"left_out", std::move(left_out)}};
}

nlohmann::json sweep_identity(nlohmann::json const& header) {
    return {header.at("grids"), header.value("cpus", nlohmann::json{})};
}

SweepFile read_sweep_file(std::string const& path) {
    std::string const text = read_results_text(path);
    SweepFile out;
    std::size_t at = 0, line_number = 0;
    while (at < text.size()) {
        ++line_number;
        auto const end = text.find('\n', at);
        bool const complete = end != std::string::npos;
        auto const line = text.substr(at, complete ? end - at : std::string::npos);
        auto json = parse_bounded(line);  // a line longer than 16 MiB or nested deeper than 64 is not a case
        if (line_number == 1 && (json.is_discarded() || !json.is_object() || json.value("schema", "") != "conclab-sweep")) {
            throw UsageError{path + ": not a conclab sweep file (its first line has no \"schema\": \"conclab-sweep\")"};
        }
        if (!complete || json.is_discarded()) {
            if (!complete || end + 1 == text.size()) {  // the last line: cut off by an interruption
                out.truncated = true;
                out.notes.push_back(path + ": line " + std::to_string(line_number) +
                                    " is cut off (an interrupted write); left out");
                break;
            }
            throw UsageError{path + ": line " + std::to_string(line_number) + " is not JSON; expected a conclab sweep file"};
        }
        if (line_number == 1) {
            if (auto const version = json.value("schema_version", 0); version < 1 || version > sweep_schema_version) {
                throw UsageError{path + ": sweep file version " + json.value("schema_version", nlohmann::json(0)).dump() +
                                 ", this conclab reads version " + std::to_string(sweep_schema_version)};
            }
            out.header = std::move(json);
        } else {
            try {
                auto const& c = json.at("case");
                auto const model = parse_model_id(c.at("model").get<std::string>());
                if (!model) throw std::invalid_argument{"unknown model"};
                out.keys.push_back(case_key(c.at("scenario").get<std::string>(), params_from_json(c.at("params")), *model,
                                            repetition_from_json(c.at("repetition"))));
            } catch (std::exception const& e) {
                throw UsageError{path + ": line " + std::to_string(line_number) + " is not a case (" + e.what() + ")"};
            }
            out.cases.push_back(std::move(json));
            out.lines.push_back(line_number);
        }
        out.good_bytes = end + 1;
        at = end + 1;
    }
    if (out.header.is_null()) throw UsageError{path + ": empty; expected a conclab sweep file"};
    // a line that repeats an earlier case: read once if it is the same, refused if it differs
    OnceEach once{"a sweep file holds each case once: keep the right one"};
    std::vector<bool> kept(out.cases.size());
    for (std::size_t i = 0; i < out.cases.size(); ++i) {
        auto const line = std::to_string(out.lines[i]);
        kept[i] = once.take(out.keys[i], out.cases[i], [&] { return describe_case(out.cases[i]); }, path + ": line " + line, "line " + line);
    }
    if (!once.notes().empty()) {
        out.repeated = true;
        out.notes.insert(out.notes.end(), once.notes().begin(), once.notes().end());
        std::size_t to = 0;
        for (std::size_t i = 0; i < kept.size(); ++i) {
            if (!kept[i]) continue;
            if (to != i) {  // (a self-move would empty the line)
                out.cases[to] = std::move(out.cases[i]);
                out.keys[to] = std::move(out.keys[i]);
                out.lines[to] = out.lines[i];
            }
            ++to;
        }
        out.cases.resize(to);
        out.keys.resize(to);
        out.lines.resize(to);
    }
    return out;
}

std::string describe_case(std::string_view scenario, nlohmann::json const& params, std::string_view model, nlohmann::json const& repetition) {
    std::string text{scenario};
    for (auto const& [name, value] : params.items()) text += " " + name + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
    return text + " " + std::string{model} + " repetition " + repetition.dump();
}

std::string describe_case(nlohmann::json const& line) {
    auto const& c = line.at("case");
    return describe_case(c.at("scenario").get<std::string>(), c.at("params"), c.at("model").get<std::string>(), c.at("repetition"));
}

nlohmann::json case_line(SweepCase const& c, CaseOutcome const& outcome) {
    nlohmann::json line{{"case",
                         {{"scenario", c.scenario->name},
                          {"params", params_to_json(c.params)},
                          {"model", token(c.model)},
                          {"base_model", token(c.model.base)},
                          {"repetition", c.repetition}}},
                        {"finished_utc", utc_now()}};
    line.update(outcome_to_json(outcome));
    return line;
}

namespace {

// Each finished case, appended to the sweep file and flushed to disk, and
// kept for the summary.
class FileSink final : public CaseSink {
public:
    FileSink(int fd, std::string const& path, SweepFile& written) : fd_{fd}, path_{path}, written_{written} {}
    void finished(PlannedCase const& c, CaseOutcome const& outcome) override {
        auto line = case_line(c, outcome);
        append_line(fd_, path_, line.dump());
        written_.keys.push_back(case_key(c.scenario->name, c.params, c.model, c.repetition));
        written_.cases.push_back(std::move(line));
    }

private:
    int fd_;
    std::string const& path_;
    SweepFile& written_;
};

}  // namespace

SweepRun run_sweep(std::vector<SweepGrid> const& grids, Shard shard, SweepOptions const& options,
                      std::vector<std::string> const& command) {
    auto const header = sweep_header(grids, shard, command, options.cpus);
    std::set<std::string> done;
    auto const target = resolve_output(options.path, "-o");
    // Standard output, a FIFO or a device: the sweep streams there, once.
    bool const stream = target.kind != OutputTarget::Kind::file;
    if (stream && options.resume) {
        throw UsageError{"--resume needs -o to be a file; " + options.path + " is standard output, a device or a FIFO"};
    }
    bool exists = !stream && std::filesystem::exists(target.real);
    if (exists && !options.resume) {
        throw UsageError{options.path + " exists; --resume continues the sweep in it, or give another -o file"};
    }
    // One writer at a time (flock, held until this process ends however it ends): two `--resume` on one file
    // (a requeued cluster task beside the old one) both ran every missing case and appended, and the file was
    // then refused by every command. A new file appears whole with its header, already locked.
    int fd = stream ? open_for_append(target, "-o") : -1;
    struct Closer {
        int& fd;
        ~Closer() {
            if (fd >= 0 && fd != STDOUT_FILENO) ::close(fd);
        }
    } const closer{fd};
    if (!stream && !exists) {
        fd = create_locked(target.real, header.dump() + "\n", options.path);
        if (fd < 0) {  // made by someone else meanwhile
            throw UsageError{options.path + " exists; --resume continues the sweep in it, or give another -o file"};
        }
    } else if (!stream) {
        fd = open_regular_file(target.real, O_RDWR | O_APPEND, "-o");
        lock_or_refuse(fd, options.path);
        struct stat held{}, named{};
        if (::fstat(fd, &held) != 0 || ::stat(target.real.c_str(), &named) != 0 || held.st_ino != named.st_ino || held.st_dev != named.st_dev) {
            throw UsageError{options.path + " was replaced while it was being opened; run the command again"};
        }
        auto const file = read_sweep_file(options.path);
        // a merged file (shards joined, some maybe missing) resumes with the whole sweep's command: that fills the gaps
        bool const merged_whole = file.header.at("shard") == "merged" && header.at("shard") == "1/1";
        if (sweep_identity(file.header) != sweep_identity(header) || (file.header.at("shard") != header.at("shard") && !merged_whole)) {
            throw UsageError{options.path + " holds another sweep (other grids, shard or --cpus); --resume needs the same command"};
        }
        done.insert(file.keys.begin(), file.keys.end());
        for (auto const& note : file.notes) std::fprintf(stderr, "sweep: %s\n", note.c_str());
        if (file.repeated) {
            // written back whole without the repeated lines: a new file, locked before it takes the name
            std::string text = file.header.dump() + "\n";
            for (auto const& c : file.cases) text += c.dump() + "\n";
            int const rewritten = create_locked(target.real, text, options.path, true);
            ::close(fd);
            fd = rewritten;
        } else if (file.truncated && ::ftruncate(fd, static_cast<off_t>(file.good_bytes)) != 0) {  // drop the cut-off line
            throw std::runtime_error{"cannot cut the last line of " + options.path + ": " + std::strerror(errno)};
        }
    }
    SweepRun result;
    result.written.header = header;
    if (stream) append_line(fd, options.path, header.dump());

    auto const cases = sweep_cases(grids, shard);
    std::vector<SweepCase> todo;
    for (auto const& c : cases) {
        if (done.count(case_key(c.scenario->name, c.params, c.model, c.repetition)) == 0) todo.push_back(c);
    }
    if (options.progress && exists) {
        std::fprintf(stderr, "sweep: %zu of %zu cases already in %s; running the other %zu\n", cases.size() - todo.size(),
                     cases.size(), options.path.c_str(), todo.size());
    }
    FileSink file{fd, options.path, result.written};
    ProgressSink progress{todo.size()};
    std::vector<CaseSink*> sinks{&file};
    if (options.progress) sinks.push_back(&progress);
    auto const loop = run_cases(todo, {.case_timeout = options.case_timeout, .record_latency = options.record_latency, .cpus = options.cpus},
                                sinks);
    result.failed = loop.failed;
    result.interrupted = loop.interrupted;
    return result;
}

namespace {

// The shards a header holds: its own "K/N", or for a merged file those it
// was merged from (less the ones it lacked); the entries of merged_from have
// "shard" and "merged_from" as a header does. N is 0 when it names none.
void add_shards(nlohmann::json const& header, std::set<unsigned>& have, unsigned& count) {
    auto const shard = header.value("shard", std::string{});
    if (shard == "merged") {
        for (auto const& part : header.value("merged_from", nlohmann::json::array())) add_shards(part, have, count);
        return;
    }
    unsigned k = 0, n = 0;
    if (std::sscanf(shard.c_str(), "%u/%u", &k, &n) != 2 || k == 0 || k > n) return;
    if (count != 0 && count != n) throw UsageError{"the files are parts of sweeps split " + std::to_string(count) + " and " +
                                                   std::to_string(n) + " ways (--shard K/N); only parts of one split merge"};
    count = n;
    have.insert(k);
}

}  // namespace

std::size_t merge_sweeps(std::vector<std::string> const& inputs, std::string const& out, bool allow_partial) {
    check_writable(out, "-o");
    nlohmann::json header;
    OnceEach once{"merge takes each case once: leave one file out"};
    std::vector<SweepFile> files;
    std::string body;
    std::size_t count = 0;
    nlohmann::json shards = nlohmann::json::array();
    std::set<unsigned> have;
    unsigned shard_count = 0;
    files.reserve(inputs.size());
    for (auto const& input : inputs) {
        auto const& file = files.emplace_back(read_sweep_file(input));
        for (auto const& note : file.notes) std::fprintf(stderr, "merge: %s\n", note.c_str());
        if (header.is_null()) {
            header = file.header;
        } else if (sweep_identity(file.header) != sweep_identity(header)) {
            throw UsageError{input + " holds another sweep than " + inputs.front() + " (other grids or --cpus); only parts of one sweep merge"};
        }
        add_shards(file.header, have, shard_count);
        shards.push_back({{"file", input}, {"shard", file.header.at("shard")}, {"machine", file.header.at("machine")},
                          {"conclab", file.header.value("conclab", nlohmann::json{})}});  // each part's build, for compare and report
        if (file.header.contains("merged_from")) shards.back()["merged_from"] = file.header.at("merged_from");
        for (std::size_t i = 0; i < file.cases.size(); ++i) {
            auto const& line = file.cases[i];
            if (!once.take(file.keys[i], line, [&] { return describe_case(line); }, input + ": line " + std::to_string(file.lines[i]))) {
                continue;
            }
            body += line.dump() + "\n";
            ++count;
        }
    }
    for (auto const& note : once.notes()) std::fprintf(stderr, "merge: %s\n", note.c_str());
    nlohmann::json missing = nlohmann::json::array();
    for (unsigned k = 1; k <= shard_count; ++k) {
        if (have.count(k) == 0) missing.push_back(std::to_string(k) + "/" + std::to_string(shard_count));
    }
    if (!missing.empty()) {
        std::string list;
        for (auto const& m : missing) list += (list.empty() ? "" : ", ") + m.get<std::string>();
        if (!allow_partial) {
            throw UsageError{std::string{missing.size() == 1 ? "shard " : "shards "} + list + (missing.size() == 1 ? " is" : " are") +
                             " missing from the files given; give every shard, or --allow-partial to merge these (the merged "
                             "file then resumes with the whole sweep's command to fill the gap)"};
        }
        std::fprintf(stderr, "merge: without shard(s) %s (--allow-partial): `sweep ... --resume -o %s` with the whole sweep's "
                             "command runs their cases\n", list.c_str(), out.c_str());
        header["missing_shards"] = missing;
    } else {
        header.erase("missing_shards");
    }
    header["shard"] = "merged";
    header["merged_from"] = std::move(shards);
    write_output(out, header.dump() + "\n" + body);
    return count;
}

std::vector<std::string> failed_cases(SweepFile const& file) {
    std::vector<std::string> out;
    for (auto const& line : file.cases) {
        auto const status = line.value("status", std::string{});
        auto const& metrics = line.contains("metrics") ? line.at("metrics") : nlohmann::json{};
        if (status != "ok") {
            out.push_back(describe_case(line) + ": " + status + ", " + line.value("error", std::string{"(no message)"}));
        } else if (metrics.is_object() && !metrics.value("verified", true)) {
            auto const failed = metrics.value("items_failed", std::uint64_t{0});
            auto const items = metrics.value("items", std::uint64_t{0});
            out.push_back(describe_case(line) + ": " +
                          (failed > 0 ? std::to_string(failed) + " of " + std::to_string(items + failed) + " items failed"
                                      : std::string{"checksum differs from the contract's"}) +
                          ", not verified");
        }
    }
    return out;
}

}  // namespace conclab
