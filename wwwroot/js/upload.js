// Dataset upload from the browser straight to the REST API, so big files stream to the server's disk
// instead of travelling through the Blazor circuit; progress is reported back to the component.
window.nasUpload = {
    send: function (inputId, name, format, dotnetRef) {
        const input = document.getElementById(inputId);
        if (!input || !input.files || input.files.length === 0) {
            return Promise.resolve({ status: 0, body: JSON.stringify({ detail: "Choose a .zip file first." }) });
        }
        const form = new FormData();
        form.append("name", name);
        if (format) form.append("format", format);
        form.append("file", input.files[0]);
        return new Promise(function (resolve) {
            const xhr = new XMLHttpRequest();
            xhr.open("POST", "/api/v1/datasets");
            const antiforgery = document.querySelector('input[name="__RequestVerificationToken"]');
            if (antiforgery) xhr.setRequestHeader("RequestVerificationToken", antiforgery.value);
            xhr.upload.onprogress = function (e) {
                if (e.lengthComputable) dotnetRef.invokeMethodAsync("OnUploadProgress", e.loaded, e.total);
            };
            xhr.onload = function () { resolve({ status: xhr.status, body: xhr.responseText }); };
            xhr.onerror = function () { resolve({ status: 0, body: JSON.stringify({ detail: "The upload failed: network error." }) }); };
            xhr.send(form);
        });
    },
    fileName: function (inputId) {
        const input = document.getElementById(inputId);
        return input && input.files && input.files.length > 0 ? input.files[0].name + " (" + input.files[0].size + " bytes)" : "";
    }
};

// Clears a file input after a finished upload.
window.nasUpload.clear = function (inputId) {
    const input = document.getElementById(inputId);
    if (input) input.value = "";
};
