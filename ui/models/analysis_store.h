#pragma once
// AnalysisStore: the weight analyses (core/analysis) of the open model's tensors, on the GUI
// thread. An analysis job streams each finished tensor here (a queued call per tensor, tagged
// with the job's generation so a superseded run cannot mix into a newer one); the tree, the
// Inspect page and the heatmap read from here and repaint on tensorsAnalyzed().
//
// Indices are Checkpoint::tensors() indices. A tensor is pending until its analysis arrives;
// a change of the preview type keeps the statistics and marks only the previews pending.
#include <QList>
#include <QObject>
#include <QString>

#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "core/analysis/tensor_analysis.h"

namespace condense::io {
class Checkpoint;
}

namespace condense::ui {

// What the heatmap and the tree's statistic column show.
enum class TensorStatistic { Kurtosis, OutlierShare, AbsMaxOverStd, Std, PreviewError };
inline constexpr int kTensorStatisticCount = 5;

class AnalysisStore : public QObject {
    Q_OBJECT
public:
    enum class State { Idle, Running, Done, Failed, Cancelled };

    explicit AnalysisStore(QObject* parent = nullptr);
    ~AnalysisStore() override;

    // A new model (or none): forgets everything; the next run's generation starts from here.
    void setCheckpoint(std::shared_ptr<const io::Checkpoint> checkpoint);
    const std::shared_ptr<const io::Checkpoint>& checkpoint() const { return m_checkpoint; }

    // A run starts: returns its generation. `previewLabel` is what the preview quantizes as
    // ("Q4_K_M"); with the same label as the last run, existing analyses stay current.
    quint64 beginRun(const QString& previewLabel);
    // Tensors of run `generation` finished (ignored when another run has started since). A run
    // read from the cache delivers all of them at once: one signal for the batch.
    void addResult(quint64 generation, std::shared_ptr<const analysis::TensorAnalysis> result);
    void addResults(quint64 generation, const std::vector<std::shared_ptr<const analysis::TensorAnalysis>>& results);
    void endRun(quint64 generation, State state);

    State state() const { return m_state; }
    QString previewLabel() const { return m_previewLabel; }
    int tensorCount() const { return static_cast<int>(m_entries.size()); }
    int analyzedCount() const { return m_analyzed; }
    // The analysis of tensor `index`, or null while pending (also stale while a new preview runs).
    std::shared_ptr<const analysis::TensorAnalysis> analysis(int index) const;
    bool isPending(int index) const;
    bool isPreviewPending(int index) const;
    int indexOf(const std::string& tensorName) const;

    // The chosen statistic of a tensor; nullopt while pending, for errors and where it does not
    // apply (no preview, zero std).
    std::optional<double> value(int index, TensorStatistic statistic) const;
    // Preview error sums over the analysed tensors of a layer (-1: outside the layers).
    std::optional<analysis::PreviewSums> layerPreview(int layer) const;

Q_SIGNALS:
    void reset();
    // Checkpoint indices of the tensors whose analysis just arrived.
    void tensorsAnalyzed(const QList<int>& indices);
    void stateChanged();

private:
    struct Entry {
        std::shared_ptr<const analysis::TensorAnalysis> analysis;
        bool previewCurrent = false;
    };

    std::shared_ptr<const io::Checkpoint> m_checkpoint;
    std::vector<Entry> m_entries;
    std::unordered_map<std::string, int> m_byName;
    quint64 m_generation = 0;
    State m_state = State::Idle;
    QString m_previewLabel;
    int m_analyzed = 0;
};

} // namespace condense::ui
