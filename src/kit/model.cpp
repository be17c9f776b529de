#include "src/kit/model.hpp"

namespace conclab {

std::string_view token(Model model) noexcept {
    switch (model) {
        case Model::fibers: return "fibers";
        case Model::coroutines: return "coroutines";
        case Model::tbb: return "tbb";
        case Model::threads: return "threads";
        case Model::go: return "go";
        case Model::tokio: return "tokio";
        case Model::rayon: return "rayon";
        case Model::rust_threads: return "rust-threads";
    }
    return "?";
}

std::string_view describe(Model model) noexcept {
    switch (model) {
        case Model::fibers: return "Go style: Boost.Fiber fibers + channels, M:N on --threads OS threads";
        case Model::coroutines: return "async/await (Tokio style): C++20 coroutines on a work-stealing executor (Tokio's design) with its own timers, Boost.Asio for sockets, --threads OS threads";
        case Model::tbb: return "Rayon style: oneTBB parallel algorithms, work stealing in an arena of --threads";
        case Model::threads: return "control group: one std::thread per worker, crossbeam's array channel";
        case Model::go: return "real Go (peers/go): goroutines, channels, net/http; the standard library only";
        case Model::tokio: return "real Rust on Tokio (peers/rust): async tasks, async-channel, hyper's client";
        case Model::rayon: return "real Rust on Rayon (peers/rust): parallel iterators, work stealing";
        case Model::rust_threads: return "real Rust with OS threads (peers/rust): std::thread, crossbeam-channel";
    }
    return "?";
}

std::optional<Model> parse_model(std::string_view name) noexcept {
    for (auto const& models : {all_models, all_peers}) {
        for (Model model : models) {
            if (token(model) == name) return model;
        }
    }
    return std::nullopt;
}

std::string ModelId::token() const {
    std::string out{conclab::token(base)};
    if (!variant.empty()) out += "/" + variant;
    return out;
}

std::optional<ModelId> parse_model_id(std::string_view text) noexcept {
    auto const slash = text.find('/');
    auto const model = parse_model(text.substr(0, slash));
    if (!model) return std::nullopt;
    if (slash == std::string_view::npos) return ModelId{*model};
    auto const name = text.substr(slash + 1);
    if (name.empty() || is_peer(*model)) return std::nullopt;  // a peer is a program of its own: no variants
    for (char c : name) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return std::nullopt;
    }
    return ModelId{*model, std::string{name}};
}

}  // namespace conclab
