// A page that shows something other than a live list (the project page's search results) still
// holds the list's ids for the socket's fragments, in a hidden element marked data-live-sink, so
// htmx always finds its targets. What the socket sends there is never shown: it is dropped here,
// rather than swapped in, so the sink never repeats the ids of the cards on the page.
document.addEventListener("htmx:oobBeforeSwap", function (event) {
  if (event.detail.target && event.detail.target.closest("[data-live-sink]")) {
    event.detail.shouldSwap = false;
  }
});
