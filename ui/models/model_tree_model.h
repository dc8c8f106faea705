#pragma once
// ModelTreeModel: the tensors of a checkpoint as a two-level tree, groups -> tensors
// (grouping in tensor_group.h). Columns: name, type, shape, size, and from the weight analysis
// (AnalysisStore, when set) the chosen statistic and the preview error; a group shows the
// largest statistic of its tensors and the error of all of them together ("…" while pending).
// DisplayRole holds formatted
// text; RawValueRole the underlying values (for sorting, tests and later pages). Takes an
// immutable Checkpoint snapshot inside a model reset; filtering and sorting are left to a
// QSortFilterProxyModel.
#include <QAbstractItemModel>

#include <memory>
#include <vector>

#include "ui/models/analysis_store.h"
#include "ui/models/tensor_group.h"

namespace condense::io {
class Checkpoint;
}

namespace condense::ui {

class ModelTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { NameColumn, TypeColumn, ShapeColumn, SizeColumn, StatisticColumn, ErrorColumn, ColumnCount };
    enum Role {
        // Name: full tensor name (QString) for tensors, group position (int) for groups.
        // Type: DType id (uint) or invalid for a group of mixed types. Shape: QVariantList of
        // qulonglong (tensors), tensor count (groups). Size: bytes (qulonglong). Statistic and
        // error: double, invalid while pending or not applicable.
        RawValueRole = Qt::UserRole + 1,
        TensorIndexRole,  // index into Checkpoint::tensors(); -1 for group rows
        FullNameRole,     // full tensor name, or the group label (what the filter box matches)
        GroupKindRole,    // TensorGroupKind as int
    };

    explicit ModelTreeModel(QObject* parent = nullptr);
    ~ModelTreeModel() override;

    void setCheckpoint(std::shared_ptr<const io::Checkpoint> checkpoint);
    // The analyses behind the statistic and error columns (not owned; may be null).
    void setAnalysisStore(const AnalysisStore* store);
    void setStatistic(TensorStatistic statistic);
    TensorStatistic statistic() const { return m_statistic; }
    const std::shared_ptr<const io::Checkpoint>& checkpoint() const { return m_checkpoint; }
    int tensorCount() const;
    // Row of the group holding a tensor index, or an invalid index.
    QModelIndex indexOfTensor(int tensorIndex) const;

    // Group labels and headers are translated text: call after a language change.
    void retranslate();

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;

private:
    struct Group {
        TensorGroupKey key;
        std::vector<int> tensors;
        quint64 bytes = 0;
        int uniformType = -1; // DType id when all tensors share it, else -1
    };

    QString groupLabel(const Group& g) const;
    QVariant groupData(int row, int column, int role) const;
    QVariant tensorData(const Group& g, int row, int column, int role) const;
    QVariant analysisData(int tensorIndex, int column, int role) const;
    QVariant groupAnalysisData(const Group& g, int column, int role) const;
    void analysisChanged(int tensorIndex);
    void allAnalysisChanged();

    std::shared_ptr<const io::Checkpoint> m_checkpoint;
    std::vector<Group> m_groups;
    std::vector<std::pair<int, int>> m_position; // per tensor index: (group, row)
    const AnalysisStore* m_store = nullptr;
    TensorStatistic m_statistic = TensorStatistic::Kurtosis;
};

} // namespace condense::ui
