// Pose library: the category tree starts open where there is room for it (a sidebar on wide screens,
// folded on phones so the poses come first). Everything else is plain forms enhanced by htmx.
(function () {
  "use strict";
  var tree = document.querySelector(".cat-tree");
  if (!tree || !window.matchMedia) { return; }
  var wide = window.matchMedia("(min-width: 56rem)");
  function sync() { if (wide.matches) { tree.open = true; } }
  sync();
  if (wide.addEventListener) { wide.addEventListener("change", sync); }
})();
