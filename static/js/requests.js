// Pose request form: live character counters, and similar open requests while the name is typed.
(function () {
  "use strict";

  document.querySelectorAll("[data-counter]").forEach(function (input) {
    var counter = document.querySelector('.counter[data-for="' + input.id + '"]');
    if (!counter) return;
    var max = input.getAttribute("maxlength");
    var update = function () { counter.textContent = input.value.length + "/" + max; };
    input.addEventListener("input", update);
    update();
  });

  var name = document.getElementById("id_pose_name");
  var hint = document.getElementById("similar-hint");
  if (!name || !hint || !window.fetch) return;
  var votesLabel = hint.getAttribute("data-votes-label") || "votes";
  var timer = null;
  name.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var value = name.value.trim();
      if (value.length < 3) { hint.hidden = true; return; }
      fetch("/api/apps/pose-generator/requests/similar?poseName=" + encodeURIComponent(value), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : {requests: []}; })
        .then(function (data) {
          var list = hint.querySelector("ul");
          list.textContent = "";
          (data.requests || []).forEach(function (item) {
            var li = document.createElement("li");
            var a = document.createElement("a");
            a.href = "/pose-requests/" + encodeURIComponent(item.id) + "/";
            a.textContent = item.poseName;
            li.appendChild(a);
            li.appendChild(document.createTextNode(" (" + item.votesCount + " " + votesLabel + ")"));
            list.appendChild(li);
          });
          hint.hidden = !(data.requests || []).length;
        })
        .catch(function () { /* the hint is optional: leave the form as it is */ });
    }, 300);
  });
})();
