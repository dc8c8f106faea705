#pragma once
// InspectPage: facts of the open model (from its ModelSpec) and of the tensor selected in the
// tree. Histogram, outlier map and heatmap come with the analysis work; the page says so.
#include <QWidget>

#include <memory>

class QFormLayout;
class QGroupBox;
class QLabel;

namespace condense::io {
class Checkpoint;
}

namespace condense::ui {

class InspectPage : public QWidget {
    Q_OBJECT
public:
    explicit InspectPage(QWidget* parent = nullptr);

    void setCheckpoint(std::shared_ptr<const io::Checkpoint> checkpoint);
    void showTensor(int tensorIndex);
    int shownTensor() const { return m_tensor; }

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    static void setRows(QFormLayout* form, const QList<QPair<QString, QString>>& rows, bool monoFirst = false);

    std::shared_ptr<const io::Checkpoint> m_checkpoint;
    int m_tensor = -1;
    QGroupBox* m_modelBox = nullptr;
    QFormLayout* m_modelForm = nullptr;
    QGroupBox* m_tensorBox = nullptr;
    QFormLayout* m_tensorForm = nullptr;
    QLabel* m_tensorHint = nullptr;
    QLabel* m_coming = nullptr;
};

} // namespace condense::ui
