#include "ui/models/analysis_store.h"

#include "core/io/checkpoint.h"

namespace condense::ui {

AnalysisStore::AnalysisStore(QObject* parent) : QObject(parent) {}

AnalysisStore::~AnalysisStore() = default;

void AnalysisStore::setCheckpoint(std::shared_ptr<const io::Checkpoint> checkpoint)
{
    m_checkpoint = std::move(checkpoint);
    m_entries.clear();
    m_byName.clear();
    m_analyzed = 0;
    m_previewLabel.clear();
    ++m_generation;
    m_state = State::Idle;
    if (m_checkpoint) {
        const auto& tensors = m_checkpoint->tensors();
        m_entries.resize(tensors.size());
        for (std::size_t i = 0; i < tensors.size(); ++i) m_byName.emplace(tensors[i].name, static_cast<int>(i));
    }
    Q_EMIT reset();
    Q_EMIT stateChanged();
}

quint64 AnalysisStore::beginRun(const QString& previewLabel)
{
    ++m_generation;
    if (previewLabel != m_previewLabel) {
        for (Entry& e : m_entries) e.previewCurrent = false;
        m_previewLabel = previewLabel;
    }
    m_state = State::Running;
    Q_EMIT reset();
    Q_EMIT stateChanged();
    return m_generation;
}

void AnalysisStore::addResult(quint64 generation, std::shared_ptr<const analysis::TensorAnalysis> result)
{
    addResults(generation, {std::move(result)});
}

void AnalysisStore::addResults(quint64 generation, const std::vector<std::shared_ptr<const analysis::TensorAnalysis>>& results)
{
    if (generation != m_generation) return;
    QList<int> indices;
    indices.reserve(static_cast<qsizetype>(results.size()));
    for (const auto& result : results) {
        if (!result) continue;
        const int index = indexOf(result->name);
        if (index < 0) continue;
        Entry& e = m_entries[static_cast<std::size_t>(index)];
        if (!e.analysis) ++m_analyzed;
        e.analysis = result;
        e.previewCurrent = true;
        indices.append(index);
    }
    if (!indices.isEmpty()) Q_EMIT tensorsAnalyzed(indices);
}

void AnalysisStore::endRun(quint64 generation, State state)
{
    if (generation != m_generation) return;
    m_state = state;
    Q_EMIT stateChanged();
}

std::shared_ptr<const analysis::TensorAnalysis> AnalysisStore::analysis(int index) const
{
    if (index < 0 || index >= tensorCount()) return nullptr;
    return m_entries[static_cast<std::size_t>(index)].analysis;
}

bool AnalysisStore::isPending(int index) const { return index >= 0 && index < tensorCount() && !m_entries[static_cast<std::size_t>(index)].analysis; }

bool AnalysisStore::isPreviewPending(int index) const
{
    return index >= 0 && index < tensorCount() && !m_entries[static_cast<std::size_t>(index)].previewCurrent;
}

int AnalysisStore::indexOf(const std::string& tensorName) const
{
    const auto it = m_byName.find(tensorName);
    return it == m_byName.end() ? -1 : it->second;
}

std::optional<double> AnalysisStore::value(int index, TensorStatistic statistic) const
{
    const auto a = analysis(index);
    if (!a || a->error) return std::nullopt;
    const analysis::TensorStats& s = a->stats;
    switch (statistic) {
    case TensorStatistic::Kurtosis: return s.finite > 0 ? std::optional<double>(s.kurtosis) : std::nullopt;
    case TensorStatistic::OutlierShare: return s.finite > 0 ? std::optional<double>(s.beyond3Std) : std::nullopt;
    case TensorStatistic::AbsMaxOverStd: return s.std > 0 ? std::optional<double>(s.absMax / s.std) : std::nullopt;
    case TensorStatistic::Std: return s.finite > 0 ? std::optional<double>(s.std) : std::nullopt;
    case TensorStatistic::PreviewError:
        if (!m_entries[static_cast<std::size_t>(index)].previewCurrent || !a->preview) return std::nullopt;
        return a->preview->sums.relRmse();
    }
    return std::nullopt;
}

std::optional<analysis::PreviewSums> AnalysisStore::layerPreview(int layer) const
{
    std::optional<analysis::PreviewSums> sums;
    for (const Entry& e : m_entries) {
        if (!e.analysis || !e.previewCurrent || !e.analysis->preview || e.analysis->layer != layer) continue;
        if (!sums) sums.emplace();
        sums->add(e.analysis->preview->sums);
    }
    return sums;
}

} // namespace condense::ui
