#include "core/tokenizer/sentencepiece_bpe.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "core/tokenizer/utf8.h"

namespace condense::tokenizer {

namespace {

struct Symbol {
    std::size_t begin = 0;
    std::uint32_t len = 0; // 0 once merged into its left neighbour
    std::int32_t prev = -1;
    std::int32_t next = -1;
    bool freeze = false;
};

struct Pair {
    float score;
    std::int32_t left;
    std::int32_t right;
    std::uint32_t size;
};

// Max-heap order: higher score first, then the leftmost pair.
struct PairLess {
    bool operator()(const Pair& a, const Pair& b) const { return a.score < b.score || (a.score == b.score && a.left > b.left); }
};

using RevMerge = std::unordered_map<std::string_view, std::pair<std::string_view, std::string_view>>;

constexpr std::string_view kSpace = "\xE2\x96\x81"; // U+2581
// A chunk holds at most this many bytes, so symbol indices fit in int32.
constexpr std::size_t kMaxChunk = std::size_t{1} << 30;
constexpr std::size_t kMaxCachedChunk = 256;

// True if `piece` has U+2581 right after another character: a merge forming it could span
// a cut made before that U+2581.
bool spaceAfterOtherChar(std::string_view piece)
{
    for (std::size_t p = piece.find(kSpace, 1); p != std::string_view::npos; p = piece.find(kSpace, p + 1))
        if (p < kSpace.size() || piece.compare(p - kSpace.size(), kSpace.size(), kSpace) != 0) return true;
    return false;
}

} // namespace

struct SentencePieceBpe::Scratch {
    std::vector<Symbol> symbols;
    std::vector<Pair> heap;
    std::unordered_map<std::string_view, std::pair<std::size_t, std::size_t>> cache; // chunk -> ids
    std::vector<std::int32_t> cachedIds;
};

SentencePieceBpe::SentencePieceBpe(const std::vector<std::string>& pieces, const std::vector<float>& scores,
                                   const std::vector<TokenAttr>& attrs, std::int32_t unkId, bool byteFallback, Flavor flavor)
    : m_flavor(flavor), m_scores(scores), m_attrs(attrs), m_unk(unkId), m_byteFallback(byteFallback)
{
    m_byteIds.fill(-1);
    m_mergeable.reserve(pieces.size());
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        const auto id = static_cast<std::int32_t>(i);
        const TokenAttr a = i < attrs.size() ? attrs[i] : TokenAttr::Normal;
        if (flavor == Flavor::LlamaCpp) {
            m_mergeable.insert_or_assign(pieces[i], id); // llama.cpp: token_to_id[text] = id, last wins
            continue;
        }
        const bool normal = a == TokenAttr::Normal || a == TokenAttr::UserDefined || a == TokenAttr::Unused;
        (normal ? m_mergeable : m_reserved).emplace(pieces[i], id);
        if (a == TokenAttr::UserDefined) m_userDefined.add(pieces[i]);
        if (a == TokenAttr::Unused) m_hasUnused = true;
    }
    m_scores.resize(pieces.size(), 0.0f);
    m_attrs.resize(pieces.size(), TokenAttr::Normal);
    for (int b = 0; b < 256; ++b) {
        std::int32_t id = find(byteTokenText(static_cast<std::uint8_t>(b)));
        if (id < 0 && flavor == Flavor::LlamaCpp) id = find(std::string(1, static_cast<char>(b))); // llama_vocab::byte_to_token
        m_byteIds[static_cast<std::size_t>(b)] = id;
    }
    // Cutting before a U+2581 that follows another character is exact when no piece a merge
    // can form holds such a U+2581 and no user-defined piece (matched whole) contains one.
    m_cutAtSpace = true;
    for (const auto& [piece, id] : m_mergeable)
        if (spaceAfterOtherChar(piece) || (flavor == Flavor::SentencePiece && m_attrs[static_cast<std::size_t>(id)] == TokenAttr::UserDefined &&
                                           piece.find(kSpace) != std::string::npos))
            m_cutAtSpace = false;
}

std::int32_t SentencePieceBpe::find(std::string_view piece) const
{
    if (auto it = m_reserved.find(piece); it != m_reserved.end()) return it->second;
    if (auto it = m_mergeable.find(piece); it != m_mergeable.end()) return it->second;
    return -1;
}

void SentencePieceBpe::emitSymbol(std::string_view text, std::vector<std::int32_t>& out, bool& prevUnk) const
{
    if (m_flavor == Flavor::LlamaCpp) {
        if (auto it = m_mergeable.find(text); it != m_mergeable.end()) {
            out.push_back(it->second);
            return;
        }
        for (const char c : text) {
            const std::int32_t b = m_byteIds[static_cast<unsigned char>(c)];
            if (b >= 0) out.push_back(b);
            else if (m_unk >= 0) out.push_back(m_unk);
        }
        return;
    }
    std::int32_t id = find(text);
    if (id < 0) id = m_unk;
    const bool isUnk = id >= 0 && m_attrs[static_cast<std::size_t>(id)] == TokenAttr::Unknown;
    if (id < 0) { // a model without <unk> (sentencepiece refuses to load one): drop the symbol
        prevUnk = false;
        return;
    }
    if (isUnk && m_byteFallback) {
        for (const char c : text) {
            const std::int32_t b = m_byteIds[static_cast<unsigned char>(c)];
            out.push_back(b >= 0 ? b : id);
        }
    } else if (!(isUnk && prevUnk)) {
        out.push_back(id); // a run of unknown symbols becomes one <unk>
    }
    prevUnk = isUnk;
}

std::size_t SentencePieceBpe::symbolLength(std::string_view text, std::size_t pos, bool& freeze) const
{
    freeze = false;
    if (m_flavor == Flavor::SentencePiece) {
        if (const std::size_t m = m_userDefined.match(text.substr(pos)); m > 0) {
            freeze = true;
            return m;
        }
        const std::size_t n = utf8::validLength(text, pos);
        return n == 0 ? 1 : n;
    }
    return std::min(utf8::charLength(static_cast<unsigned char>(text[pos])), text.size() - pos);
}

void SentencePieceBpe::encode(std::string_view normalized, std::vector<std::int32_t>& out) const
{
    Scratch scratch;
    bool prevUnk = false;
    // Cut before every U+2581 that follows another character when no piece can span such a
    // point (see m_cutAtSpace); the chunks are then independent, and repeated words are
    // looked up in a cache instead of merged again.
    std::size_t chunkStart = 0;
    bool prevSpace = true;
    const auto flush = [&](std::size_t end) {
        if (end > chunkStart) encodeChunk(normalized.substr(chunkStart, end - chunkStart), out, prevUnk, scratch);
        chunkStart = end;
    };
    for (std::size_t pos = 0; pos < normalized.size();) {
        bool freeze = false;
        const std::size_t n = symbolLength(normalized, pos, freeze);
        const bool space = !freeze && normalized.compare(pos, n, kSpace) == 0;
        if ((m_cutAtSpace && space && !prevSpace) || pos - chunkStart >= kMaxChunk) flush(pos);
        prevSpace = space;
        pos += n;
    }
    flush(normalized.size());
}

void SentencePieceBpe::encodeChunk(std::string_view text, std::vector<std::int32_t>& out, bool& prevUnk, Scratch& scratch) const
{
    if (auto it = scratch.cache.find(text); it != scratch.cache.end()) {
        out.insert(out.end(), scratch.cachedIds.begin() + it->second.first, scratch.cachedIds.begin() + it->second.first + it->second.second);
        prevUnk = false; // cached chunks hold no <unk>
        return;
    }
    const bool sp = m_flavor == Flavor::SentencePiece;
    std::vector<Symbol>& symbols = scratch.symbols;
    symbols.clear();
    for (std::size_t pos = 0; pos < text.size();) {
        Symbol s;
        s.begin = pos;
        const std::size_t n = symbolLength(text, pos, s.freeze);
        s.len = static_cast<std::uint32_t>(n);
        s.prev = static_cast<std::int32_t>(symbols.size()) - 1;
        pos += n;
        s.next = pos == text.size() ? -1 : static_cast<std::int32_t>(symbols.size()) + 1;
        symbols.push_back(s);
    }

    std::vector<Pair>& agenda = scratch.heap; // a max-heap (std::push_heap / pop_heap)
    agenda.clear();
    RevMerge revMerge;

    const auto tryAdd = [&](std::int32_t left, std::int32_t right) {
        if (left < 0 || right < 0) return;
        const Symbol& l = symbols[static_cast<std::size_t>(left)];
        const Symbol& r = symbols[static_cast<std::size_t>(right)];
        if (l.freeze || r.freeze) return;
        const std::string_view merged = text.substr(l.begin, std::size_t{l.len} + r.len);
        const auto it = m_mergeable.find(merged);
        if (it == m_mergeable.end()) return;
        const auto id = static_cast<std::size_t>(it->second);
        agenda.push_back(Pair{m_scores[id], left, right, static_cast<std::uint32_t>(merged.size())});
        std::push_heap(agenda.begin(), agenda.end(), PairLess{});
        if (sp && m_hasUnused && m_attrs[id] == TokenAttr::Unused)
            revMerge[merged] = {text.substr(l.begin, l.len), text.substr(r.begin, r.len)};
    };

    for (std::size_t i = 1; i < symbols.size(); ++i) tryAdd(static_cast<std::int32_t>(i - 1), static_cast<std::int32_t>(i));

    while (!agenda.empty()) {
        std::pop_heap(agenda.begin(), agenda.end(), PairLess{});
        const Pair top = agenda.back();
        agenda.pop_back();
        Symbol& l = symbols[static_cast<std::size_t>(top.left)];
        Symbol& r = symbols[static_cast<std::size_t>(top.right)];
        if (l.len == 0 || r.len == 0 || l.len + r.len != top.size) continue; // stale
        l.len += r.len;
        r.len = 0;
        l.next = r.next;
        if (r.next >= 0) symbols[static_cast<std::size_t>(r.next)].prev = top.left;
        tryAdd(l.prev, top.left);
        tryAdd(top.left, l.next);
    }

    const std::size_t start = out.size();
    bool sawUnk = false;
    // Splits an UNUSED piece back into the symbols it was merged from (sentencepiece only).
    const auto resegment = [&](auto&& self, std::string_view w) -> void {
        if (sp && m_hasUnused) {
            const std::int32_t id = find(w);
            if (id >= 0 && m_attrs[static_cast<std::size_t>(id)] == TokenAttr::Unused) {
                if (auto it = revMerge.find(w); it != revMerge.end()) {
                    const auto parts = it->second;
                    self(self, parts.first);
                    self(self, parts.second);
                    return;
                }
            }
        }
        emitSymbol(w, out, prevUnk);
        sawUnk = sawUnk || prevUnk;
    };
    for (std::int32_t i = 0; i != -1; i = symbols[static_cast<std::size_t>(i)].next) {
        const Symbol& s = symbols[static_cast<std::size_t>(i)];
        resegment(resegment, text.substr(s.begin, s.len));
    }
    if (!sawUnk && text.size() <= kMaxCachedChunk) {
        scratch.cache.emplace(text, std::make_pair(scratch.cachedIds.size(), out.size() - start));
        scratch.cachedIds.insert(scratch.cachedIds.end(), out.begin() + static_cast<std::ptrdiff_t>(start), out.end());
    }
}

} // namespace condense::tokenizer
