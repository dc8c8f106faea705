#pragma once
// MessageBanner: an inline, dismissible strip at the top of the page for recoverable errors
// (a bad drop, a failed open) and short notices. Not a message box: it never blocks and it
// stays until dismissed or replaced. The detail line is selectable so it can be copied.
#include <QFrame>

class QLabel;
class QToolButton;

namespace condense::ui {

class MessageBanner : public QFrame {
    Q_OBJECT
public:
    enum class Kind { Error, Info };

    explicit MessageBanner(QWidget* parent = nullptr);

    void showMessage(Kind kind, const QString& headline, const QString& detail = {});
    void dismiss();

    Kind kind() const { return m_kind; }
    QString headline() const;
    QString detail() const;
    // Headline and detail together (for tests and accessibility).
    QString text() const;

Q_SIGNALS:
    void dismissed();

protected:
    void changeEvent(QEvent* event) override;

private:
    void applyStyle();

    Kind m_kind = Kind::Info;
    QLabel* m_icon = nullptr;
    QLabel* m_headline = nullptr;
    QLabel* m_detail = nullptr;
    QToolButton* m_close = nullptr;
};

} // namespace condense::ui
