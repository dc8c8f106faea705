#include "core/tokenizer/bpe_model.h"

#include <limits>
#include <queue>

#include "core/tokenizer/utf8.h"

namespace condense::tokenizer {

namespace {

struct Symbol {
    std::int32_t id;
    std::int32_t prev;
    std::int32_t next;
    std::uint32_t len; // bytes of the word it covers; 0 once merged away
};

struct Candidate {
    std::uint32_t rank;
    std::uint32_t pos;
    std::int32_t newId;
};

// Min-heap order: lowest rank first, then the leftmost position.
struct CandidateGreater {
    bool operator()(const Candidate& a, const Candidate& b) const { return a.rank > b.rank || (a.rank == b.rank && a.pos > b.pos); }
};

constexpr std::size_t kMaxCachedWord = 256; // longer words are rare and not worth keeping
constexpr std::string_view kSpace = "\xE2\x96\x81"; // U+2581

// True if `token` has U+2581 right after another character.
bool spaceAfterOtherChar(std::string_view token)
{
    for (std::size_t p = token.find(kSpace, 1); p != std::string_view::npos; p = token.find(kSpace, p + 1))
        if (p < kSpace.size() || token.compare(p - kSpace.size(), kSpace.size(), kSpace) != 0) return true;
    return false;
}

} // namespace

const std::int32_t* BpeModel::WordCache::find(std::string_view word, std::size_t& count) const
{
    const auto it = m_index.find(word);
    if (it == m_index.end()) return nullptr;
    count = it->second.second;
    return m_ids.data() + it->second.first;
}

void BpeModel::WordCache::insert(std::string_view word, const std::int32_t* ids, std::size_t count)
{
    if (word.size() > kMaxCachedWord || m_ids.size() + count > std::numeric_limits<std::uint32_t>::max()) return;
    m_index.emplace(std::string(word), std::make_pair(static_cast<std::uint32_t>(m_ids.size()), static_cast<std::uint32_t>(count)));
    m_ids.insert(m_ids.end(), ids, ids + count);
}

BpeModel::BpeModel(StringIdMap vocab, const std::vector<std::pair<std::string, std::string>>& merges, Options options,
                   std::size_t* skippedMerges)
    : m_vocab(std::move(vocab)), m_options(std::move(options))
{
    std::size_t skipped = 0;
    // See m_cutAtSpace: U+2581 must be a token (so it is never byte-fallback) and no merge may
    // produce a token holding U+2581 after another character.
    m_cutAtSpace = find(kSpace) >= 0 && !m_options.ignoreMerges && m_options.continuingSubwordPrefix.empty() &&
                   m_options.endOfWordSuffix.empty();
    m_merges.reserve(merges.size());
    std::string joined;
    for (std::size_t rank = 0; rank < merges.size(); ++rank) {
        const auto& [a, b] = merges[rank];
        const std::int32_t ia = find(a), ib = find(b);
        joined = a;
        joined += b;
        const std::int32_t merged = find(joined);
        if (ia < 0 || ib < 0 || merged < 0) {
            ++skipped;
            continue;
        }
        m_merges.emplace(key(ia, ib), Merge{static_cast<std::uint32_t>(rank), merged}); // first rule wins
        if (m_cutAtSpace && spaceAfterOtherChar(joined)) m_cutAtSpace = false;
    }
    if (skippedMerges) *skippedMerges = skipped;
    for (int b = 0; b < 256; ++b) m_byteIds[b] = find(byteTokenText(static_cast<std::uint8_t>(b)));
}

std::int32_t BpeModel::find(std::string_view token) const
{
    const auto it = m_vocab.find(token);
    return it == m_vocab.end() ? -1 : it->second;
}

void BpeModel::mergeWord(std::string_view word, std::vector<std::int32_t>& out) const
{
    std::vector<Symbol> symbols;
    symbols.reserve(word.size());
    const auto add = [&](std::int32_t id, std::size_t len) {
        const auto n = static_cast<std::int32_t>(symbols.size());
        if (n > 0) symbols.back().next = n;
        symbols.push_back(Symbol{id, n - 1, -1, static_cast<std::uint32_t>(len)});
    };

    std::int32_t unkLen = 0; // pending <unk> bytes (0: none)
    std::string decorated;
    for (std::size_t i = 0; i < word.size();) {
        std::size_t n = utf8::validLength(word, i);
        if (n == 0) n = 1;
        const bool first = i == 0, last = i + n == word.size();
        std::string_view s = word.substr(i, n);
        if ((!first && !m_options.continuingSubwordPrefix.empty()) || (last && !m_options.endOfWordSuffix.empty())) {
            decorated.clear();
            if (!first) decorated += m_options.continuingSubwordPrefix;
            decorated += s;
            if (last) decorated += m_options.endOfWordSuffix;
            s = decorated;
        }
        const std::int32_t id = find(s);
        if (id >= 0) {
            if (unkLen > 0) {
                add(m_options.unkId, static_cast<std::size_t>(unkLen));
                unkLen = 0;
            }
            add(id, n);
        } else {
            bool done = false;
            if (m_options.byteFallback) {
                bool all = true;
                for (const char c : s) all = all && m_byteIds[static_cast<unsigned char>(c)] >= 0;
                if (all) {
                    // (tokenizers flushes no pending <unk> here; neither do we)
                    for (const char c : s) add(m_byteIds[static_cast<unsigned char>(c)], 1);
                    done = true;
                }
            }
            if (!done && m_options.unkId >= 0) {
                if (unkLen > 0 && !m_options.fuseUnk) add(m_options.unkId, static_cast<std::size_t>(unkLen)), unkLen = 0;
                unkLen += static_cast<std::int32_t>(n);
            }
        }
        i += n;
    }
    if (unkLen > 0) add(m_options.unkId, static_cast<std::size_t>(unkLen));

    if (symbols.size() > 1 && !m_merges.empty()) {
        std::vector<Candidate> storage;
        storage.reserve(symbols.size());
        std::priority_queue<Candidate, std::vector<Candidate>, CandidateGreater> queue(CandidateGreater{}, std::move(storage));
        const auto lookup = [&](std::int32_t a, std::int32_t b) -> const Merge* {
            const auto it = m_merges.find(key(a, b));
            return it == m_merges.end() ? nullptr : &it->second;
        };
        for (std::size_t i = 0; i + 1 < symbols.size(); ++i)
            if (const Merge* m = lookup(symbols[i].id, symbols[i + 1].id))
                queue.push(Candidate{m->rank, static_cast<std::uint32_t>(i), m->newId});

        while (!queue.empty()) {
            const Candidate top = queue.top();
            queue.pop();
            Symbol& cur = symbols[top.pos];
            if (cur.len == 0 || cur.next == -1) continue;
            const auto nextPos = static_cast<std::size_t>(cur.next);
            const Symbol right = symbols[nextPos];
            const Merge* m = lookup(cur.id, right.id);
            if (!m || m->newId != top.newId) continue; // stale
            cur.id = top.newId;
            cur.len += right.len;
            cur.next = right.next;
            symbols[nextPos].len = 0;
            if (right.next >= 0) symbols[static_cast<std::size_t>(right.next)].prev = static_cast<std::int32_t>(top.pos);
            if (cur.prev >= 0) {
                const auto p = static_cast<std::size_t>(cur.prev);
                if (const Merge* pm = lookup(symbols[p].id, cur.id)) queue.push(Candidate{pm->rank, static_cast<std::uint32_t>(p), pm->newId});
            }
            if (cur.next >= 0) {
                if (const Merge* nm = lookup(cur.id, symbols[static_cast<std::size_t>(cur.next)].id))
                    queue.push(Candidate{nm->rank, top.pos, nm->newId});
            }
        }
    }
    for (const Symbol& s : symbols)
        if (s.len != 0) out.push_back(s.id);
}

void BpeModel::encodeWord(std::string_view word, std::vector<std::int32_t>& out, WordCache* cache) const
{
    if (word.empty()) return;
    if (m_options.ignoreMerges) {
        if (const std::int32_t id = find(word); id >= 0) {
            out.push_back(id);
            return;
        }
    }
    if (m_cutAtSpace && word.size() > kSpace.size()) {
        // Cut before every U+2581 that follows another character: the pieces merge exactly as
        // the whole word would (no merge can span a cut), in small heaps, and through the cache.
        std::size_t start = 0;
        for (std::size_t p = word.find(kSpace, 1); p != std::string_view::npos; p = word.find(kSpace, p + kSpace.size())) {
            if (p >= kSpace.size() && word.compare(p - kSpace.size(), kSpace.size(), kSpace) == 0) continue; // a run stays together
            encodePiece(word.substr(start, p - start), out, cache);
            start = p;
        }
        encodePiece(word.substr(start), out, cache);
        return;
    }
    encodePiece(word, out, cache);
}

void BpeModel::encodePiece(std::string_view word, std::vector<std::int32_t>& out, WordCache* cache) const
{
    if (word.empty()) return;
    if (cache) {
        std::size_t count = 0;
        if (const std::int32_t* ids = cache->find(word, count)) {
            out.insert(out.end(), ids, ids + count);
            return;
        }
    }
    const std::size_t start = out.size();
    mergeWord(word, out);
    if (cache) cache->insert(word, out.data() + start, out.size() - start);
}

} // namespace condense::tokenizer
