#pragma once
// InspectPage (UI.md "Inspect"): what is inside the open model, from the weight analysis that
// starts in the background when a model opens (AnalysisStore).
//   Tensor view: the selected tensor's histogram (log-y toggle, zoom and pan) over its outlier
//                map with the top outliers listed beside it (clicking one rings it on the map,
//                clicking a ring selects it in the list), and its facts and statistics.
//   Model view:  the whole-model heatmap (layers x tensor roles, coloured by the chosen
//                statistic); clicking a cell or pressing Enter on it selects that tensor.
// The page never waits: pending tensors say so and fill in as their analysis arrives. Export
// hands an image of a plot to the window (which writes it off the GUI thread).
#include <QImage>
#include <QWidget>

#include <memory>

#include "ui/models/analysis_store.h"

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QFormLayout;
class QGroupBox;
class QLabel;
class QStackedWidget;
class QTableView;
class QToolButton;
class QCustomPlot;

namespace condense::io {
class Checkpoint;
}

namespace condense::ui {

class HeatmapPlot;
class HistogramPlot;
class OutlierListModel;
class OutlierMapPlot;

class InspectPage : public QWidget {
    Q_OBJECT
public:
    enum class View { Tensor, Model };

    explicit InspectPage(AnalysisStore& store, QWidget* parent = nullptr);

    void setCheckpoint(std::shared_ptr<const io::Checkpoint> checkpoint);
    void showTensor(int tensorIndex);
    int shownTensor() const { return m_tensor; }

    void setView(View view);
    View view() const;
    TensorStatistic statistic() const;
    void setStatistic(TensorStatistic statistic);
    // The llama-quantize mix the preview quantizes as ("Q4_K_M").
    QString previewMix() const;

    HistogramPlot* histogram() const { return m_histogram; }
    OutlierMapPlot* outlierMap() const { return m_outlierMap; }
    HeatmapPlot* heatmap() const { return m_heatmap; }
    QTableView* outlierTable() const { return m_outlierTable; }
    OutlierListModel* outlierModel() const { return m_outlierModel; }
    QLabel* statusLabel() const { return m_status; }
    // The plots the current view shows, for export.
    QList<QCustomPlot*> visiblePlots() const;

    static QStringList previewMixes();

Q_SIGNALS:
    void tensorActivated(int tensorIndex);
    void statisticChanged(condense::ui::TensorStatistic statistic);
    void previewMixChanged(const QString& mix);
    // A PNG of `plot` was asked for; `suggestedName` has no extension.
    void exportRequested(const QImage& image, const QString& suggestedName);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void updateTensorFacts();
    void updateModelFacts();
    void updateStatus();
    void onTensorsAnalyzed(const QList<int>& indices);
    void exportPlot(QCustomPlot* plot, const QString& what);
    QWidget* buildTensorView();
    QWidget* buildModelView();
    static void setRows(QFormLayout* form, const QList<QPair<QString, QString>>& rows, const QStringList& keys = {}, bool monoFirst = false);

    AnalysisStore& m_store;
    std::shared_ptr<const io::Checkpoint> m_checkpoint;
    int m_tensor = -1;

    QToolButton* m_tensorViewButton = nullptr;
    QToolButton* m_modelViewButton = nullptr;
    QButtonGroup* m_viewGroup = nullptr;
    QLabel* m_statisticLabel = nullptr;
    QComboBox* m_statisticCombo = nullptr;
    QLabel* m_previewLabel = nullptr;
    QComboBox* m_previewCombo = nullptr;
    QToolButton* m_exportButton = nullptr;
    QLabel* m_status = nullptr;
    QStackedWidget* m_stack = nullptr;

    // Tensor view.
    QGroupBox* m_histogramBox = nullptr;
    HistogramPlot* m_histogram = nullptr;
    QCheckBox* m_logScale = nullptr;
    QGroupBox* m_mapBox = nullptr;
    OutlierMapPlot* m_outlierMap = nullptr;
    QTableView* m_outlierTable = nullptr;
    OutlierListModel* m_outlierModel = nullptr;
    QLabel* m_topLabel = nullptr;
    QLabel* m_tensorTitle = nullptr;
    QLabel* m_tensorFacts = nullptr;
    QGroupBox* m_statsBox = nullptr;
    QFormLayout* m_statsForm = nullptr;
    QLabel* m_tensorHint = nullptr;

    // Model view.
    HeatmapPlot* m_heatmap = nullptr;
    QGroupBox* m_modelBox = nullptr;
    QFormLayout* m_modelForm = nullptr;
    QGroupBox* m_previewBox = nullptr;
    QFormLayout* m_previewForm = nullptr;
};

} // namespace condense::ui
