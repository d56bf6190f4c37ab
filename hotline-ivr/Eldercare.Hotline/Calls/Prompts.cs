namespace Eldercare.Hotline.Calls;

/// <summary>
/// Every fixed sentence the hotline says, from configuration (section "Hotline:Prompts"), so a district can reword
/// them or have them recorded. Plain Chinese, short sentences, the way out (0, a person) said often.
/// </summary>
public sealed class Prompts
{
    public string Greeting { get; set; } = "您好，这里是社区养老服务热线。";
    public string Hello { get; set; } = "{0}，您好。";
    /// <summary>Said after the visit text of a confirmation call ("护理员王芳刚才为您上门保洁。").</summary>
    public string VisitConfirmKeys { get; set; } = "如果服务已经完成，请按1；没有完成，请按2；转人工，请按0。";
    public string RateVisit { get; set; } = "请给这次服务打分：很满意请按5，满意请按4，一般请按3，不满意请按2，很不满意请按1。";
    public string VisitThanks { get; set; } = "谢谢您的评价，再见。";
    public string VisitNotDone { get; set; } = "好的，已经告诉驿站，工作人员会尽快和您联系。再见。";
    public string Terminal { get; set; } = "马上为您转接工作人员，请不要挂机。有紧急情况请按9。";
    public string AskIdTail { get; set; } = "请输入您身份证号码的最后四位，最后一位是字母X的请按星号。";
    public string ConfirmName { get; set; } = "您是{0}吗？是请按1，不是请按2。";
    public string NotIdentified { get; set; } = "没有查到您的档案。";
    public string OfferRemember { get; set; } = "以后用这个电话打来，要直接认出您，请按1；不用，请按2。";
    public string Remembered { get; set; } = "好的，记住了。";
    public string Menu { get; set; } = "订餐请按1，助浴请按2，保洁请按3，看病请按4，查询或取消预约请按5，找工作人员请按0，紧急求助请按9，再听一遍请按星号。";
    public string NoKey { get; set; } = "没有听到按键。";
    public string WrongKey { get; set; } = "按键不对。";
    public string ToAgent { get; set; } = "正在为您转接工作人员，请稍等，不要挂机。";
    /// <summary>The person tried did not answer ({0}); the next one ({1}) is rung.</summary>
    public string NextPerson { get; set; } = "{0}没有接听，正在为您转接{1}，请继续稍等。";
    public string AgentName { get; set; } = "热线工作人员";
    public string DutyName { get; set; } = "驿站值班电话";
    public string DistrictDutyName { get; set; } = "区值班电话";
    /// <summary>Nobody answered and the call back is booked: {0} is in how many minutes (in words).</summary>
    public string NobodyCallBack { get; set; } = "现在没有工作人员能接听。我们已经记下了，大约{0}分钟后给您回电话，请保持电话畅通。有紧急情况请直接拨打120。再见。";
    /// <summary>Nobody answered and no call back could be booked (the caller is not known, or the hub is down).</summary>
    public string NobodyCallAgain { get; set; } = "现在没有工作人员能接听，请您过一会儿再打来。有紧急情况请直接拨打120。再见。";
    /// <summary>The call back found nobody either: the station already has the elder's request as a task.</summary>
    public string NobodyAgain { get; set; } = "现在还是没有工作人员能接听。驿站已经收到您的请求，会尽快联系您。再见。";
    public string SystemTrouble { get; set; } = "系统暂时出了点问题。";
    public string EmergencyConfirm { get; set; } = "您选择了紧急求助。确认需要帮助请按1，按错了请按2。";
    public string EmergencyTransfer { get; set; } = "已经记下您的紧急求助，驿站马上会收到。正在为您接通值班人员，请不要挂机。";
    /// <summary>The emergency could not be recorded yet (it is sent as soon as the hub answers): say only what is true.</summary>
    public string EmergencyNotYetRecorded { get; set; } = "正在为您接通值班人员，请不要挂机。";
    public string NoService { get; set; } = "这一项暂时没有您可以预约的服务。";
    public string ChooseService { get; set; } = "{0}请按{1}。";
    public string NoSlot { get; set; } = "最近一周都约满了。";
    /// <summary>{0} when, {1} where (the meal point or the station's team), {2} the key.</summary>
    public string ChooseSlot { get; set; } = "{0}，{1}，请按{2}。";
    /// <summary>{0} how the service comes (到餐桌吃, 送餐到家), {1} the key.</summary>
    public string ChooseMode { get; set; } = "{0}请按{1}。";
    public string ConfirmBooking { get; set; } = "您要预约{0}，{1}，{2}，{3}，自付{4}。确认请按1，重新选择请按2。";
    public string Booked { get; set; } = "已为您预约{0}，{1}，{2}，自付{3}。";
    public string NoBookings { get; set; } = "您最近没有预约。";
    public string BookingItem { get; set; } = "{0}，{1}，{2}。取消这个预约请按{3}。";
    public string ConfirmCancel { get; set; } = "确定取消{0}的{1}吗？确定请按1，不取消请按2。";
    public string Cancelled { get; set; } = "已经取消。";
    public string Goodbye { get; set; } = "感谢您的来电，再见。";
    /// <summary>The call has been in the menus for <see cref="HotlineOptions.MaxCallLength"/>.</summary>
    public string TooLong { get; set; } = "这次通话时间已经很长了，需要帮助请重新拨打，或按0找工作人员。感谢您的来电，再见。";

    // Calls out: a reminder is read after the greeting and confirmed by a key; the check-in call's own text asks for 1.
    public string ReminderKeys { get; set; } = "听清楚了请按1，再听一遍请按星号，找工作人员请按0。";
    /// <summary>After an emergency is read to one of the elder's emergency contacts: 1 confirms they have it.</summary>
    public string EmergencyContactKeys { get; set; } = "收到请按1，再听一遍请按星号，找工作人员请按0。";
    public string CallOutGoodbye { get; set; } = "好的，祝您身体健康，再见。";
    public string CallOutNoKey { get; set; } = "没有听到您按键，工作人员稍后会再联系您，再见。";
}
