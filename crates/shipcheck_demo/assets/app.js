// Vehicle Diagnostics frontend (shipcheck demo): sign in, then list vehicles.
"use strict";
(function () {
  const form = document.getElementById("login");
  const list = document.getElementById("vehicles");
  const status = document.getElementById("status");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const login = await fetch("/api/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: data.get("username"), password: data.get("password") }),
    });
    if (!login.ok) {
      status.textContent = "sign-in failed (" + login.status + ")";
      console.error("sign-in failed: the API answered " + login.status);
      return;
    }
    const { access_token } = await login.json();
    const res = await fetch("/api/v1/vehicles", { headers: { authorization: "Bearer " + access_token } });
    const vehicles = res.ok ? await res.json() : [];
    list.replaceChildren(...vehicles.map((v) => {
      const item = document.createElement("li");
      item.textContent = v.vin + " — " + v.model;
      return item;
    }));
    status.textContent = vehicles.length + " vehicle(s)";
  });
})();
