#include "ui/widgets/model_panel.h"

#include <QEvent>
#include <QFrame>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTreeView>
#include <QVBoxLayout>

#include "core/io/checkpoint.h"
#include "ui/models/model_tree_model.h"
#include "ui/widgets/model_summary.h"

namespace condense::ui {

ModelPanel::ModelPanel(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("modelPanel"));
    setMinimumWidth(340); // room for tensor names beside the type, size and statistic columns
    m_summary = new ModelSummary(this);

    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("tensorFilter"));
    m_filter->setClearButtonEnabled(true);

    m_model = new ModelTreeModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setRecursiveFilteringEnabled(true);
    m_proxy->setAutoAcceptChildRows(true); // a matching group shows all its tensors
    m_proxy->setFilterRole(ModelTreeModel::FullNameRole);
    m_proxy->setFilterKeyColumn(ModelTreeModel::NameColumn);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setSortRole(ModelTreeModel::RawValueRole);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);

    m_tree = new QTreeView(this);
    m_tree->setObjectName(QStringLiteral("tensorTree"));
    m_tree->setModel(m_proxy);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setAllColumnsShowFocus(true);
    m_tree->header()->setSortIndicator(-1, Qt::AscendingOrder); // file order until a header is clicked
    m_tree->setSortingEnabled(true);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(ModelTreeModel::NameColumn, QHeaderView::Stretch);
    for (int c = ModelTreeModel::TypeColumn; c < ModelTreeModel::ColumnCount; ++c)
        m_tree->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    // Shapes are in the name's tooltip and on Inspect: the statistics need the room.
    m_tree->setColumnHidden(ModelTreeModel::ShapeColumn, true);
    m_tree->header()->setMinimumSectionSize(40);
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
        Q_EMIT tensorSelected(current.isValid() ? current.data(ModelTreeModel::TensorIndexRole).toInt() : -1);
    });

    auto* line = new QFrame(this);
    line->setFrameShape(QFrame::HLine);
    line->setFrameShadow(QFrame::Sunken);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 4, 8);
    layout->addWidget(m_summary);
    layout->addWidget(line);
    layout->addWidget(m_filter);
    layout->addWidget(m_tree, 1);
    retranslate();
}

void ModelPanel::setCheckpoint(std::shared_ptr<const io::Checkpoint> checkpoint, const QString& name)
{
    m_summary->setCheckpoint(checkpoint, name);
    m_filter->clear();
    m_model->setCheckpoint(std::move(checkpoint));
    // Open the first layer so the tree shows at once what a layer holds.
    for (int r = 0; r < m_proxy->rowCount(); ++r) {
        const QModelIndex g = m_proxy->index(r, 0);
        if (g.data(ModelTreeModel::GroupKindRole).toInt() == static_cast<int>(TensorGroupKind::Layer)) {
            m_tree->expand(g);
            // Select its first tensor, so the Inspect page shows something real at once.
            if (m_proxy->rowCount(g) > 0) {
                m_tree->setCurrentIndex(m_proxy->index(0, 0, g));
                return;
            }
            break;
        }
    }
    Q_EMIT tensorSelected(-1);
}

void ModelPanel::selectTensor(int tensorIndex)
{
    const QModelIndex source = m_model->indexOfTensor(tensorIndex);
    if (!source.isValid()) return;
    QModelIndex proxy = m_proxy->mapFromSource(source);
    if (!proxy.isValid()) {
        m_filter->clear();
        proxy = m_proxy->mapFromSource(source);
    }
    if (!proxy.isValid()) return;
    m_tree->expand(proxy.parent());
    m_tree->setCurrentIndex(proxy);
    m_tree->scrollTo(proxy);
}

int ModelPanel::selectedTensor() const
{
    const QModelIndex current = m_tree->currentIndex();
    return current.isValid() ? current.data(ModelTreeModel::TensorIndexRole).toInt() : -1;
}

void ModelPanel::setModelName(const QString& name) { m_summary->setModelName(name); }

void ModelPanel::expandAll() { m_tree->expandAll(); }
void ModelPanel::collapseAll() { m_tree->collapseAll(); }

void ModelPanel::retranslate()
{
    m_filter->setPlaceholderText(tr("Filter tensors by name"));
    m_model->retranslate();
}

void ModelPanel::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

} // namespace condense::ui
