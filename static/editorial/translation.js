// Translator editor: "Use" fills the field with a translation-memory suggestion.
// Without JavaScript the buttons stay hidden and the suggestions can be copied as text.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll(".use-suggestion")) {
    button.hidden = false;
    button.addEventListener("click", () => {
      const input = document.getElementById(button.dataset.target);
      if (input) {
        input.value = button.dataset.text;
        input.focus();
      }
    });
  }
});
