#pragma once
// PlaceholderPage: a page whose real content comes with a later piece of work. It says what
// will be there, and shows no made-up numbers.
#include <QWidget>

#include <functional>

class QLabel;

namespace condense::ui {

class PlaceholderPage : public QWidget {
    Q_OBJECT
public:
    // `text` is called again on every language change, so it must return tr() text.
    PlaceholderPage(std::function<QString()> title, std::function<QString()> text, QWidget* parent = nullptr);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();

    std::function<QString()> m_titleFn;
    std::function<QString()> m_textFn;
    QLabel* m_title = nullptr;
    QLabel* m_text = nullptr;
};

} // namespace condense::ui
