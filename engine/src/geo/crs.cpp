#include "rasterbench/crs.h"

#include <proj.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <sstream>
#include <string_view>

#include "rasterbench/error.h"

namespace rb {

namespace {

// PROJ contexts are not thread-safe: each thread gets its own, created on first use.
// Errors are collected per context so they can be quoted in our exceptions.
struct ThreadContext {
    PJ_CONTEXT* ctx = nullptr;
    std::string last_error;
    ThreadContext() {
        ctx = proj_context_create();
        proj_log_func(ctx, this, [](void* self, int level, const char* msg) {
            if (level == PJ_LOG_ERROR && msg)
                static_cast<ThreadContext*>(self)->last_error = msg;
        });
    }
    ~ThreadContext() { proj_context_destroy(ctx); }
};

ThreadContext& thread_context() {
    thread_local ThreadContext tc;
    return tc;
}

struct PjDeleter {
    void operator()(PJ* p) const { proj_destroy(p); }
};
using PjPtr = std::unique_ptr<PJ, PjDeleter>;

std::string trimmed(const std::string& s) {
    std::size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b])))
        ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1])))
        --e;
    return s.substr(b, e - b);
}

// Quoted input for error messages, shortened so a pasted WKT stays one readable line.
std::string quote(const std::string& s) {
    std::string q = s.size() > 80 ? s.substr(0, 77) + "..." : s;
    for (char& c : q)
        if (c == '\n' || c == '\r')
            c = ' ';
    return "'" + q + "'";
}

PjPtr parse(const std::string& wkt_or_def) {
    ThreadContext& tc = thread_context();
    return PjPtr(proj_create(tc.ctx, wkt_or_def.c_str()));
}

PjPtr parse_wkt(const std::string& wkt) {
    PjPtr p = parse(wkt);
    if (!p)
        throw CrsError("internal error: cannot re-read CRS WKT");
    return p;
}

// The WKT2 of a definition, or CrsError naming it.
std::string wkt_of_definition(const std::string& definition) {
    std::string def = trimmed(definition);
    if (def.empty())
        throw CrsError("empty CRS definition");
    // Bare numbers are EPSG codes; "+proj=..." strings need +type=crs to be a CRS.
    if (std::all_of(def.begin(), def.end(), [](char c) { return std::isdigit((unsigned char)c); }))
        def = "EPSG:" + def;
    if (def.rfind("+", 0) == 0 && def.find("+type=crs") == std::string::npos)
        def += " +type=crs";
    ThreadContext& tc = thread_context();
    tc.last_error.clear();
    PjPtr p = parse(def);
    if (!p) {
        const int err = proj_context_errno(tc.ctx);
        std::string why = tc.last_error.empty()
                              ? std::string(proj_context_errno_string(tc.ctx, err))
                              : tc.last_error;
        if (why.empty() || why == "Unknown error (code 0)")
            why = "not a CRS definition PROJ understands";
        throw CrsError("invalid CRS " + quote(definition) + ": " + why);
    }
    if (!proj_is_crs(p.get()))
        throw CrsError("invalid CRS " + quote(definition) + ": it defines a " +
                       "coordinate operation, not a coordinate reference system");
    const char* wkt = proj_as_wkt(tc.ctx, p.get(), PJ_WKT2_2019, nullptr);
    if (!wkt)
        throw CrsError("invalid CRS " + quote(definition) + ": PROJ cannot express it as WKT");
    return wkt;
}

// What PROJ made of a text before, per thread (as the contexts are): opening a stack asks
// the same questions of the same WKT for every file, and PROJ parsing and printing it again
// was about a third of a scene's open (perf: 12 scenes of 2 files took 18-34 ms). Bounded:
// a session sees a handful of CRSs. Failures are not kept (each throws again).
template <class Value> class Memo {
public:
    template <class Make> Value get(const std::string& key, Make make) {
        if (const auto it = values_.find(key); it != values_.end())
            return it->second;
        Value v = make();
        if (values_.size() >= kMaxEntries)
            values_.clear();
        values_.emplace(key, v);
        return v;
    }

private:
    static constexpr std::size_t kMaxEntries = 64;
    std::map<std::string, Value> values_;
};

} // namespace

Crs Crs::from_user_input(const std::string& definition) {
    thread_local Memo<std::string> wkt_of;
    return Crs(wkt_of.get(definition, [&] { return wkt_of_definition(definition); }));
}

Crs Crs::from_epsg(int code) {
    return from_user_input("EPSG:" + std::to_string(code));
}

std::optional<int> Crs::to_epsg() const {
    if (empty())
        return std::nullopt;
    ThreadContext& tc = thread_context();
    PjPtr p = parse_wkt(wkt_);
    auto code_of = [](PJ* obj) -> std::optional<int> {
        const char* auth = proj_get_id_auth_name(obj, 0);
        const char* code = proj_get_id_code(obj, 0);
        // The code is text the definition carried ("EPSG","99999999999" is valid WKT): only
        // a whole number in int's range is an EPSG code.
        if (!auth || !code || std::string(auth) != "EPSG")
            return std::nullopt;
        const std::string_view text(code);
        int value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size())
            return std::nullopt;
        return value;
    };
    if (auto c = code_of(p.get()))
        return c;
    // Identify against the EPSG database; accept only a 100 % match so that a CRS that
    // merely resembles an EPSG entry is not reported as it.
    int* confidence = nullptr;
    PJ_OBJ_LIST* list = proj_identify(tc.ctx, p.get(), "EPSG", nullptr, &confidence);
    std::optional<int> out;
    if (list) {
        if (proj_list_get_count(list) > 0 && confidence && confidence[0] == 100) {
            PjPtr best(proj_list_get(tc.ctx, list, 0));
            out = code_of(best.get());
        }
        proj_list_destroy(list);
    }
    proj_int_list_destroy(confidence);
    return out;
}

std::string Crs::to_proj() const {
    if (empty())
        return {};
    thread_local Memo<std::string> proj_of;
    return proj_of.get(wkt_, [&]() -> std::string {
        ThreadContext& tc = thread_context();
        PjPtr p = parse_wkt(wkt_);
        const char* s = proj_as_proj_string(tc.ctx, p.get(), PJ_PROJ_5, nullptr);
        return s ? s : "";
    });
}

std::map<std::string, std::string> Crs::proj_params() const {
    std::map<std::string, std::string> out;
    std::istringstream in(to_proj());
    std::string tok;
    while (in >> tok) {
        if (tok.empty() || tok[0] != '+')
            continue;
        const auto eq = tok.find('=');
        if (eq == std::string::npos)
            out[tok.substr(1)] = "";
        else
            out[tok.substr(1, eq - 1)] = tok.substr(eq + 1);
    }
    return out;
}

std::string Crs::name() const {
    if (empty())
        return {};
    PjPtr p = parse_wkt(wkt_);
    const char* n = proj_get_name(p.get());
    return n ? n : "";
}

bool Crs::is_geographic() const {
    if (empty())
        return false;
    thread_local Memo<bool> geographic;
    return geographic.get(wkt_, [&] {
        PjPtr p = parse_wkt(wkt_);
        const PJ_TYPE t = proj_get_type(p.get());
        return t == PJ_TYPE_GEOGRAPHIC_2D_CRS || t == PJ_TYPE_GEOGRAPHIC_3D_CRS ||
               t == PJ_TYPE_GEOGRAPHIC_CRS;
    });
}

std::string Crs::not_a_map_crs() const {
    if (empty())
        return {};
    PjPtr p = parse_wkt(wkt_);
    PJ_TYPE t = proj_get_type(p.get());
    if (t == PJ_TYPE_BOUND_CRS) { // a CRS with its transformation to WGS 84: the CRS counts
        p.reset(proj_get_source_crs(thread_context().ctx, p.get()));
        t = p ? proj_get_type(p.get()) : PJ_TYPE_UNKNOWN;
    }
    switch (t) {
    case PJ_TYPE_VERTICAL_CRS:
        return "a vertical CRS (heights only)";
    case PJ_TYPE_GEOCENTRIC_CRS:
        return "a geocentric CRS (X, Y, Z from the earth's centre)";
    case PJ_TYPE_TEMPORAL_CRS:
        return "a temporal CRS";
    default:
        return {};
    }
}

bool Crs::equivalent(const Crs& other) const {
    if (empty() || other.empty())
        return empty() && other.empty();
    if (wkt_ == other.wkt_)
        return true;
    PjPtr a = parse_wkt(wkt_), b = parse_wkt(other.wkt_);
    return proj_is_equivalent_to_with_ctx(thread_context().ctx, a.get(), b.get(),
                                          PJ_COMP_EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS) != 0;
}

struct CrsTransformer::Impl {
    PJ_CONTEXT* ctx = nullptr;
    PJ* op = nullptr;
    std::string what;
    ~Impl() {
        if (op)
            proj_destroy(op);
        if (ctx)
            proj_context_destroy(ctx);
    }
};

CrsTransformer::CrsTransformer(const Crs& src, const Crs& dst) : impl_(std::make_unique<Impl>()) {
    if (src.empty() || dst.empty())
        throw CrsError("cannot transform points: source or destination CRS is empty");
    impl_->what = "from '" + src.name() + "' to '" + dst.name() + "'";
    impl_->ctx = proj_context_create();
    // Points PROJ cannot transform are counted by transform(); its own log would print one
    // line per point ("utm: Invalid latitude") on stderr.
    proj_log_func(impl_->ctx, nullptr, [](void*, int, const char*) {});
    PJ* op =
        proj_create_crs_to_crs(impl_->ctx, src.to_wkt().c_str(), dst.to_wkt().c_str(), nullptr);
    if (!op)
        throw CrsError("no transformation " + impl_->what);
    // Traditional GIS order (x = easting/longitude) whatever the CRS axis order says.
    impl_->op = proj_normalize_for_visualization(impl_->ctx, op);
    proj_destroy(op);
    if (!impl_->op)
        throw CrsError("no transformation " + impl_->what);
}

CrsTransformer::~CrsTransformer() = default;
CrsTransformer::CrsTransformer(CrsTransformer&&) noexcept = default;
CrsTransformer& CrsTransformer::operator=(CrsTransformer&&) noexcept = default;

std::pair<double, double> CrsTransformer::transform(double x, double y) const {
    PJ_COORD c = proj_coord(x, y, 0, 0);
    proj_errno_reset(impl_->op);
    PJ_COORD r = proj_trans(impl_->op, PJ_FWD, c);
    if (proj_errno(impl_->op) != 0 || !std::isfinite(r.xy.x) || !std::isfinite(r.xy.y)) {
        std::ostringstream os;
        os << "cannot transform point (" << x << ", " << y << ") " << impl_->what;
        throw CrsError(os.str());
    }
    return {r.xy.x, r.xy.y};
}

std::size_t CrsTransformer::transform(std::vector<double>& xs, std::vector<double>& ys) const {
    if (xs.size() != ys.size())
        throw ArgumentError("transform: x and y lists differ in length");
    std::size_t failed = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        PJ_COORD r = proj_trans(impl_->op, PJ_FWD, proj_coord(xs[i], ys[i], 0, 0));
        if (!std::isfinite(r.xy.x) || !std::isfinite(r.xy.y) || r.xy.x == HUGE_VAL) {
            xs[i] = ys[i] = NAN;
            ++failed;
        } else {
            xs[i] = r.xy.x;
            ys[i] = r.xy.y;
        }
    }
    return failed;
}

} // namespace rb
