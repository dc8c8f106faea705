#pragma once
// ModelPanel: the left side once a model is open: the summary, a filter box, and the tree of
// groups -> tensors (ModelTreeModel behind a QSortFilterProxyModel).
#include <QWidget>

#include <memory>

class QLineEdit;
class QSortFilterProxyModel;
class QTreeView;

namespace condense::io {
class Checkpoint;
}

namespace condense::ui {

class ModelSummary;
class ModelTreeModel;

class ModelPanel : public QWidget {
    Q_OBJECT
public:
    explicit ModelPanel(QWidget* parent = nullptr);

    void setCheckpoint(std::shared_ptr<const io::Checkpoint> checkpoint, const QString& name);
    void setModelName(const QString& name);
    ModelTreeModel* treeModel() const { return m_model; }
    QSortFilterProxyModel* proxyModel() const { return m_proxy; }
    QTreeView* treeView() const { return m_tree; }
    QLineEdit* filterEdit() const { return m_filter; }

    // Makes tensor `tensorIndex` the current row (clearing the filter if it hides it).
    void selectTensor(int tensorIndex);
    int selectedTensor() const;

    void expandAll();
    void collapseAll();

Q_SIGNALS:
    // Index into Checkpoint::tensors(), or -1 when no tensor (or a group) is selected.
    void tensorSelected(int tensorIndex);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();

    ModelSummary* m_summary = nullptr;
    QLineEdit* m_filter = nullptr;
    QTreeView* m_tree = nullptr;
    ModelTreeModel* m_model = nullptr;
    QSortFilterProxyModel* m_proxy = nullptr;
};

} // namespace condense::ui
