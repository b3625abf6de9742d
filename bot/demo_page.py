"""The web demo's single page: draws Block Kit (messages, threads, modals) and sends clicks back."""

PAGE = r"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>asc-bot demo</title>
<style>
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:0;background:#f4ede4;color:#1d1c1d}
header{background:#3f0e40;color:#fff;padding:10px 20px;font-weight:700}
main{max-width:860px;margin:0 auto;padding:12px 20px}
.msg{background:#fff;border-radius:8px;padding:12px 16px;margin:12px 0;box-shadow:0 1px 2px #0002}
.who{font-weight:700;margin-bottom:4px}.who span{font-weight:400;color:#616061;font-size:12px;margin-left:6px}
.thread{border-left:3px solid #ddd;margin:10px 0 0 8px;padding-left:12px}
.reply{padding:6px 0;border-top:1px solid #eee}.reply:first-child{border-top:0}
h3{margin:4px 0 8px;font-size:18px}.section{margin:6px 0;line-height:1.45}
.context{color:#616061;font-size:12px;margin:6px 0}
.actions button,.modal button{margin:4px 6px 4px 0;padding:6px 12px;border:1px solid #bbb;border-radius:4px;background:#fff;cursor:pointer;font-weight:600}
button.primary{background:#007a5a;color:#fff;border-color:#007a5a}button.danger{background:#e01e5a;color:#fff;border-color:#e01e5a}
.ephemeral{background:#fff8e1;border-left:3px solid #f2c744;padding:6px 10px;margin:6px 0;font-size:14px}
.overlay{position:fixed;inset:0;background:#0008;display:flex;align-items:center;justify-content:center}
.modal{background:#fff;border-radius:8px;width:520px;max-height:85vh;overflow:auto;padding:16px 20px}
.modal label{display:block;font-weight:700;margin:10px 0 4px}.modal input,.modal textarea,.modal select{width:100%;box-sizing:border-box;padding:6px}
.error{color:#e01e5a;font-size:13px}
code{background:#f6f6f6;border:1px solid #e8e8e8;border-radius:3px;padding:0 3px}
</style></head><body>
<header>#releases — asc-bot demo (a simulated Slack and App Store Connect on this machine)</header>
<main><div id="ephemerals"></div><div id="channel">Waiting for the bot…</div></main>
<div id="modal"></div>
<script>
const esc = s => String(s).replace(/&(?!(amp|lt|gt|quot|#\d+);)/g,"&amp;").replace(/</g,"&lt;").replace(/>/g,"&gt;").replace(/"/g,"&quot;");
function mrkdwn(text){
  return String(text||"").split(/(<[^>]+>)/).map(part=>{
    const m = part.match(/^<([^|>]+)(?:\|([^>]+))?>$/);
    if(m){ if(m[1].startsWith("@")) return "<b>@"+esc(people[m[1].slice(1)]||m[1].slice(1))+"</b>";
           return '<a href="'+esc(m[1])+'" target="_blank">'+esc(m[2]||m[1])+"</a>"; }
    return esc(part).replace(/\*([^*\n]+)\*/g,"<b>$1</b>").replace(/`([^`\n]+)`/g,"<code>$1</code>");
  }).join("").replace(/\n/g,"<br>");
}
const txt = t => t ? (t.type==="mrkdwn" ? mrkdwn(t.text) : esc(t.text)) : "";
function button(e, attrs){
  const conf = e.confirm ? ' data-confirm="'+esc((e.confirm.text||{}).text||"")+'"' : "";
  return '<button class="'+(e.style||"")+'" data-action="'+esc(e.action_id)+'"'+attrs+conf+">"+esc(e.text.text)+"</button>";
}
function blocks(list, attrs){
  return (list||[]).map(b=>{
    if(b.type==="header") return "<h3>"+txt(b.text)+"</h3>";
    if(b.type==="section") return '<div class="section">'+txt(b.text)+((b.fields||[]).map(txt).join("<br>"))+
        (b.accessory&&b.accessory.type==="button"?" "+button(b.accessory,attrs):"")+"</div>";
    if(b.type==="context") return '<div class="context">'+(b.elements||[]).map(e=>e.type==="image"?"":txt(e)).join(" ")+"</div>";
    if(b.type==="divider") return "<hr>";
    if(b.type==="actions") return '<div class="actions">'+(b.elements||[]).filter(e=>e.type==="button").map(e=>button(e,attrs)).join("")+"</div>";
    if(b.type==="input") return input(b);
    return "";
  }).join("");
}
function options(list, selected){
  const chosen = new Set((selected||[]).map(o=>o.value));
  return (list||[]).map(o=>'<option value="'+esc(o.value)+'"'+(chosen.has(o.value)?" selected":"")+">"+esc(o.text.text)+"</option>").join("");
}
function input(b){
  const e = b.element, id = 'data-block="'+esc(b.block_id)+'" data-aid="'+esc(e.action_id)+'" data-type="'+e.type+'"';
  let control = "";
  if(e.type==="plain_text_input") control = e.multiline ? "<textarea "+id+">"+esc(e.initial_value||"")+"</textarea>"
      : "<input "+id+' value="'+esc(e.initial_value||"")+'">';
  else if(e.type==="static_select") control = "<select "+id+">"+options(e.options, e.initial_option?[e.initial_option]:[])+"</select>";
  else if(e.type==="multi_static_select"||e.type==="checkboxes")
      control = "<select multiple "+id+">"+options(e.options, e.initial_options)+"</select>";
  else if(e.type==="radio_buttons") control = "<select "+id+">"+options(e.options, e.initial_option?[e.initial_option]:[])+"</select>";
  else if(e.type==="datetimepicker"){ const v = e.initial_date_time ? new Date(e.initial_date_time*1000).toISOString().slice(0,16) : "";
      control = '<input type="datetime-local" '+id+' value="'+v+'">'; }
  else control = "<em>("+esc(e.type)+")</em>";
  return "<label>"+txt(b.label)+"</label>"+control+'<div class="error" data-error="'+esc(b.block_id)+'"></div>';
}
function values(root){
  const out = {};
  root.querySelectorAll("[data-aid]").forEach(el=>{
    const t = el.dataset.type, block = (out[el.dataset.block] = out[el.dataset.block]||{});
    const opt = o => ({value:o.value, text:{type:"plain_text", text:o.text}});
    if(t==="plain_text_input") block[el.dataset.aid] = {type:t, value:el.value||null};
    else if(t==="static_select"||t==="radio_buttons") block[el.dataset.aid] = {type:t, selected_option: el.selectedOptions.length?opt(el.selectedOptions[0]):null};
    else if(t==="multi_static_select"||t==="checkboxes") block[el.dataset.aid] = {type:t, selected_options:[...el.selectedOptions].map(opt)};
    else if(t==="datetimepicker") block[el.dataset.aid] = {type:t, selected_date_time: el.value?Math.floor(new Date(el.value+"Z").getTime()/1000):null};
  });
  return out;
}
async function post(path, body){
  const r = await fetch(path,{method:"POST",headers:{"Content-Type":"application/json"},body:JSON.stringify(body)});
  return r.ok ? r.json() : {status:r.status};
}
function message(m, reply){
  const attrs = ' data-ts="'+esc(m.ts)+'"';
  return '<div class="'+(reply?"reply":"")+'" data-message="'+esc(m.ts)+'"><div class="who">asc-bot<span>'+
    (m.broadcast?"also sent to #releases":"")+"</span></div>"+(m.blocks&&m.blocks.length?blocks(m.blocks,attrs):mrkdwn(m.text))+"</div>";
}
let lastChannel = "", lastModal = "", people = {};
function draw(state){
  people = state.people || {};
  const channel = JSON.stringify([state.messages, state.ephemerals]);
  if(channel!==lastChannel){
    lastChannel = channel;
    document.getElementById("channel").innerHTML = state.messages.map(m=>'<div class="msg">'+message(m,false)+
      (m.thread.length?'<div class="thread">'+m.thread.map(r=>message(r,true)).join("")+"</div>":"")+"</div>").join("") || "No messages yet.";
    document.getElementById("ephemerals").innerHTML = state.ephemerals.slice(-3).map(t=>'<div class="ephemeral">Only you can see this: '+mrkdwn(t)+"</div>").join("");
  }
  const view = state.views[state.views.length-1];
  const modal = JSON.stringify(view||null);
  if(modal===lastModal) return;
  lastModal = modal;
  const root = document.getElementById("modal");
  if(!view){ root.innerHTML = ""; return; }
  root.innerHTML = '<div class="overlay"><div class="modal" data-view="'+esc(view.id)+'"><h3>'+txt(view.title)+"</h3>"+
    blocks(view.blocks,' data-view="'+esc(view.id)+'"')+'<div class="actions">'+(view.submit?'<button class="primary" data-submit="1">'+esc(view.submit.text)+"</button>":"")+
    '<button data-close="1">'+esc((view.close||{text:"Cancel"}).text)+"</button></div></div></div>";
}
async function refresh(){ try { draw(await (await fetch("/api/state")).json()); } catch(e) {} }
document.addEventListener("click", async ev=>{
  const el = ev.target.closest("button"); if(!el) return;
  const modal = el.closest("[data-view]");
  if(el.dataset.submit){ const r = await post("/api/submit",{view_id:modal.dataset.view, values:values(modal)});
    const errors = (r.answer||{}).errors||{}; Object.entries(errors).forEach(([k,v])=>{const e=modal.querySelector('[data-error="'+k+'"]'); if(e) e.textContent=v;});
  } else if(el.dataset.close){ await post("/api/close",{view_id:modal.dataset.view}); }
  else if(el.dataset.action){ if(el.dataset.confirm && !window.confirm(el.dataset.confirm)) return;
    await post("/api/click", el.dataset.view ? {view_id:el.dataset.view, action_id:el.dataset.action} : {ts:el.dataset.ts, action_id:el.dataset.action}); }
  lastModal = ""; refresh();
});
refresh(); setInterval(refresh, 1000);
</script></body></html>
"""
